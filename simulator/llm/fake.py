"""A deterministic ChatModel for fast tests: scripted replies, or a reply picked by hashing the prompt."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from simulator.llm.base import Message, cut_at_stop, resolve_params

DEFAULT_LINES = (
    "I don't know... I just work here.",
    "Why do you want to know?",
    "It's fine. Everything is fine.",
    "I'm not sure I should talk about this.",
    "Can I go now?",
)


class FakeChatModel:
    """Replies from `script` in order (cycling), from `respond(messages)`, or from a hash of the prompt."""

    def __init__(self, script: list[str] | None = None,
                 respond: Callable[[list[Message]], str] | None = None, name: str = "fake"):
        self.name = name
        self.script = list(script or [])
        self.respond = respond
        self.calls: list[list[Message]] = []

    def generate(self, messages: list[Message], **params) -> str:
        return "".join(self.stream(messages, **params))

    def stream(self, messages: list[Message], **params) -> Iterator[str]:
        opts = resolve_params(params)
        self.calls.append([dict(m) for m in messages])
        if self.respond is not None:
            text = self.respond(messages)
        elif self.script:
            text = self.script[(len(self.calls) - 1) % len(self.script)]
        else:
            seed = f"{opts.seed}|" + "|".join(m["content"] for m in messages)
            index = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(DEFAULT_LINES)
            text = DEFAULT_LINES[index]
        text, _ = cut_at_stop(text, opts.stop)
        words = text.split(" ")[: max(opts.max_tokens, 1)]
        for i, word in enumerate(words):
            yield word if i == 0 else " " + word
