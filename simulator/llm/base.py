"""The ChatModel interface: generate/stream over OpenAI-style messages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal, Protocol, TypedDict, runtime_checkable

from pydantic import BaseModel, Field


class Message(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


class GenerationParams(BaseModel):
    max_tokens: int = Field(default=96, ge=1, le=4096)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    top_p: float = Field(default=0.9, gt=0.0, le=1.0)
    repetition_penalty: float = Field(default=1.1, ge=0.5, le=2.0)
    # What the penalty covers: every prompt and reply token (as transformers does), or only this reply's
    # tokens and those of `avoid` (so a persona may still echo words the officer or its role card used).
    penalty_scope: Literal["prompt", "reply"] = "prompt"
    avoid: list[str] = Field(default_factory=list)  # earlier text the reply should not copy
    no_repeat_ngram: int = Field(default=0, ge=0, le=16)  # 0: off; n: no n tokens in a row from `avoid`
    stop: list[str] = Field(default_factory=list)
    seed: int | None = None


class ChatModelError(RuntimeError):
    """A backend failed (unreachable server, bad answer, missing model); the message says what to do."""


@runtime_checkable
class ChatModel(Protocol):
    name: str

    def generate(self, messages: list[Message], **params) -> str: ...

    def stream(self, messages: list[Message], **params) -> Iterator[str]: ...


def resolve_params(params: dict) -> GenerationParams:
    return GenerationParams(**params)


def cut_at_stop(text: str, stop: list[str]) -> tuple[str, bool]:
    """Cut `text` at the first stop string; return (text, stopped)."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def _stop_prefix_length(text: str, stop: list[str]) -> int:
    """Length of the longest tail of `text` that could be the start of a stop string."""
    return max((n for s in stop for n in range(min(len(s) - 1, len(text)), 0, -1) if text.endswith(s[:n])),
               default=0)


def stop_filter(pieces: Iterable[str], stop: list[str]) -> Iterator[str]:
    """Re-chunk streamed pieces so nothing from a stop string on is shown, even when it spans pieces.

    Text that might begin a stop string is held back until the next piece settles it.
    """
    text, shown = "", 0
    for piece in pieces:
        text, stopped = cut_at_stop(text + piece, stop)
        visible = len(text) if stopped else len(text) - _stop_prefix_length(text, stop)
        if visible > shown:
            yield text[shown:visible]
            shown = visible
        if stopped:
            return
    if len(text) > shown:
        yield text[shown:]
