"""OpenAIChatModel against a real HTTP server on 127.0.0.1 that speaks the chat-completions protocol."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from simulator.llm.base import ChatModelError
from simulator.llm.openai_backend import OpenAIChatModel

MESSAGES = [{"role": "user", "content": "Hello?"}]


class Handler(BaseHTTPRequestHandler):
    """Behaviour per test is chosen by `server.mode`; requests are recorded in `server.requests`."""

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        auth = self.headers.get("Authorization")
        self.server.requests.append({"path": self.path, "body": body, "auth": auth})
        mode = self.server.mode
        if mode == "stall":
            time.sleep(3)
            return
        if mode == "error":
            return self._send(500, b'{"error": "model overloaded"}')
        if mode == "garbage":
            return self._send(200, b"<html>not json</html>")
        if not body["stream"]:
            reply = {"choices": [{"message": {"role": "assistant", "content": "I work at the salon."}}]}
            return self._send(200, json.dumps(reply).encode())
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for line in self._events(mode):
            self.wfile.write(line.encode() + b"\n\n")
            self.wfile.flush()

    def _events(self, mode: str) -> Iterator[str]:
        yield ": keep-alive"
        yield 'data: {"choices": [{"delta": {"role": "assistant"}}]}'
        for piece in ["I ", "work ", "at the ", "salon. ", "STOP", "more"]:
            yield "data: " + json.dumps({"choices": [{"delta": {"content": piece}}]})
        if mode == "bad-event":
            yield "data: {not json"
        if mode != "no-done":
            yield "data: [DONE]"

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.mode, httpd.requests = "ok", []
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def model_for(server, **kwargs) -> OpenAIChatModel:
    return OpenAIChatModel(f"http://127.0.0.1:{server.server_port}/v1", "test-model", **kwargs)


def test_generate_posts_the_mapped_parameters(server):
    model = model_for(server, api_key="secret")
    reply = model.generate(MESSAGES, max_tokens=20, temperature=0.3, top_p=0.8, repetition_penalty=1.2,
                           stop=["\n"], seed=7)
    assert reply == "I work at the salon."
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer secret"
    assert request["body"] == {"model": "test-model", "messages": MESSAGES, "stream": False, "max_tokens": 20,
                               "temperature": 0.3, "top_p": 0.8, "repetition_penalty": 1.2,
                               "repeat_penalty": 1.2, "stop": ["\n"], "seed": 7}


def test_stream_yields_pieces_and_cuts_at_stop(server):
    model = model_for(server)
    assert list(model.stream(MESSAGES)) == ["I ", "work ", "at the ", "salon. ", "STOP", "more"]
    assert list(model.stream(MESSAGES, stop=["n. ST"])) == ["I ", "work ", "at the ", "salo"]
    assert server.requests[0]["body"]["stream"] is True


@pytest.mark.parametrize(("mode", "message"), [
    ("error", "HTTP 500: '{\"error\": \"model overloaded\"}'"),
    ("garbage", "not a chat completion"),
])
def test_generate_errors_name_the_problem(server, mode, message):
    server.mode = mode
    with pytest.raises(ChatModelError, match=message.replace("(", r"\(")):
        model_for(server).generate(MESSAGES)


@pytest.mark.parametrize(("mode", "message"), [
    ("error", "HTTP 500"), ("bad-event", "malformed stream event"), ("no-done", r"without `data: \[DONE\]`"),
])
def test_stream_errors_name_the_problem(server, mode, message):
    server.mode = mode
    with pytest.raises(ChatModelError, match=message):
        list(model_for(server).stream(MESSAGES))


def test_unreachable_server_is_a_clear_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    model = OpenAIChatModel(f"http://127.0.0.1:{port}/v1", "m", timeout=2)
    with pytest.raises(ChatModelError, match="cannot reach .* is the server running"):
        model.generate(MESSAGES)
    with pytest.raises(ChatModelError, match="cannot reach"):
        list(model.stream(MESSAGES))


def test_stalled_server_times_out_quickly(server):
    server.mode = "stall"
    model = model_for(server, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ChatModelError, match="did not answer in time"):
        model.generate(MESSAGES)
    with pytest.raises(ChatModelError, match="did not answer in time"):
        list(model.stream(MESSAGES))
    assert time.monotonic() - started < 2.5
