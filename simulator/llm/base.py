"""The ChatModel interface: generate/stream over OpenAI-style messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TypedDict, runtime_checkable

from pydantic import BaseModel, Field


class Message(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


class GenerationParams(BaseModel):
    max_tokens: int = Field(default=96, ge=1, le=4096)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    top_p: float = Field(default=0.9, gt=0.0, le=1.0)
    repetition_penalty: float = Field(default=1.1, ge=0.5, le=2.0)
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
