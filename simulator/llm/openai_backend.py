"""A ChatModel served by any OpenAI-compatible /v1/chat/completions server (vLLM, llama.cpp, Ollama, TGI).

The repetition penalty is sent as two extra body fields, `repetition_penalty` (vLLM's name) and
`repeat_penalty` (llama.cpp's: both its servers; llama-cpp-python's applies 1.1 unless told); servers that
do not know a field ignore it. Every failure becomes a ChatModelError saying what went wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from simulator.llm import base
from simulator.llm.base import ChatModelError, GenerationParams, Message, resolve_params

BODY_SNIPPET = 300


class OpenAIChatModel:
    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0,
                 connect_timeout: float = 5.0, name: str | None = None):
        self.name = name or model
        self.model = model
        self.url = base_url.rstrip("/") + "/chat/completions"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout, connect=connect_timeout))

    def _body(self, messages: list[Message], opts: GenerationParams, stream: bool) -> dict:
        body = {
            "model": self.model, "messages": [dict(m) for m in messages], "stream": stream,
            "max_tokens": opts.max_tokens, "temperature": opts.temperature, "top_p": opts.top_p,
            "repetition_penalty": opts.repetition_penalty, "repeat_penalty": opts.repetition_penalty,
        }
        if opts.stop:
            body["stop"] = opts.stop
        if opts.seed is not None:
            body["seed"] = opts.seed
        return body

    def generate(self, messages: list[Message], **params) -> str:
        opts = resolve_params(params)
        try:
            response = self._client.post(self.url, json=self._body(messages, opts, stream=False))
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        self._check_status(response.status_code, response.text)
        try:
            content = response.json()["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError):
            raise ChatModelError(f"{self.url} sent an answer that is not a chat completion: "
                                 f"{response.text[:BODY_SNIPPET]!r}") from None
        return base.cut_at_stop(content, opts.stop)[0]  # servers differ in honouring `stop`

    def stream(self, messages: list[Message], **params) -> Iterator[str]:
        opts = resolve_params(params)
        return base.stop_filter(self._stream(self._body(messages, opts, stream=True)), opts.stop)

    def _stream(self, body: dict) -> Iterator[str]:
        try:
            with self._client.stream("POST", self.url, json=body) as response:
                if response.status_code >= 300:
                    response.read()
                    self._check_status(response.status_code, response.text)
                yield from self._pieces(response.iter_lines())
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None

    def _pieces(self, lines: Iterator[str]) -> Iterator[str]:
        """Content deltas from Server-Sent Events lines (`data: {...}` ... `data: [DONE]`)."""
        for line in lines:
            if not line.strip() or line.startswith(":"):
                continue  # keep-alive or comment
            if not line.startswith("data:"):
                continue  # `event:`/`id:` fields carry nothing we use
            data = line[len("data:"):].strip()
            if data == "[DONE]":
                return
            try:
                choice = json.loads(data)["choices"][0]
                piece = (choice.get("delta") or {}).get("content") or ""
            except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                snippet = data[:BODY_SNIPPET]
                raise ChatModelError(f"{self.url} sent a malformed stream event: {snippet!r}") from None
            if piece:
                yield piece
        raise ChatModelError(f"{self.url} ended the stream without `data: [DONE]`")

    def _check_status(self, status: int, body: str) -> None:
        if status >= 300:
            raise ChatModelError(f"{self.url} answered HTTP {status}: {body[:BODY_SNIPPET]!r}")

    def _transport_error(self, exc: httpx.HTTPError) -> ChatModelError:
        if isinstance(exc, httpx.TimeoutException):
            return ChatModelError(f"{self.url} did not answer in time ({type(exc).__name__}); is the server "
                                  "overloaded, or the timeout too short?")
        if isinstance(exc, httpx.ConnectError):
            return ChatModelError(f"cannot reach {self.url}: is the server running? ({exc})")
        return ChatModelError(f"request to {self.url} failed: {type(exc).__name__}: {exc}")
