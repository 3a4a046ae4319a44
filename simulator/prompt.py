"""The messages the chat model sees for one persona reply.

The model only voices what the engine decided: the prompt carries the persona's voice, the current
mode and ONLY the facts the persona may mention now. It never carries locked facts, ground truth, the
instructor summary or the rubric. The stable persona part comes first and the per-turn instruction
last, so a backend that reuses its KV cache prefills only the new tokens. Instructions are short and
concrete because the default model is tiny.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from simulator.llm.base import Message
from simulator.personas import Fact, Mode, Persona

# The feeling is written as the persona's own thought: the tiny default model often repeats the
# instruction back, and "I'm too scared to talk" stays in character where "You are too scared" does not.
MODE_INSTRUCTIONS: dict[str, str] = {
    "guarded": "I'm wary of this officer. I'll keep it short and vague and share no details.",
    "testing": "I'm not sure this officer is safe. I'll answer briefly and ask what will happen to me.",
    "deflecting": "I don't want to answer that. I'll change the subject or say someone else knows.",
    "minimising": "It's not so bad here. I'll say everybody works hard.",
    "distressed": "I'm very upset and frightened. I'll say I want it to stop.",
    "shut_down": "I'm too scared to talk. I'll say very little or ask to leave.",
    "partial_disclosure": "I'm starting to trust this officer. I'll answer honestly but carefully.",
    "open_disclosure": "I trust this officer now. I'll answer honestly and simply.",
}
COMPLIANT_YES = 'I feel pressured. I\'ll just agree quietly, like "Yes... I think so."'
CHARS_PER_TOKEN = 4  # rough, conservative for English


class PromptParams(BaseModel):
    context_tokens: int = Field(default=1024, ge=256)  # budget for the whole prompt
    reply_sentences: str = "1-2 short sentences"
    # When the history outgrows the budget, the oldest exchanges go this many at a time, so the prompt's
    # start stays the same for several turns and a KV-caching backend need not prefill it again.
    history_drop: int = Field(default=6, ge=1)
    # Room kept for this turn's message and instruction, so that which history is kept does not depend
    # on the message (unless it is longer): a backend warmed before the message arrives then finds its prefix.
    final_reserve_tokens: int = Field(default=160, ge=0)


class Exchange(BaseModel):
    officer: str
    reply: str


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


def system_prompt(persona: Persona) -> str:
    """The persona's voice: identical on every turn of a session."""
    style = persona.speech_style
    lines = [
        f"You are {persona.name}, {persona.age}, from {persona.origin}. {persona.background.strip()}",
        f"A police officer is talking to you. {persona.opening_scene.strip()}",
        f"You speak {style.language_register}; {style.sentence_length}.",
        f"You fear: {'; '.join(persona.fears)}.",
        f"You believe: {' '.join(persona.protective_beliefs)}",
        f"Always speak as {persona.name}, in the first person. Never say you are an AI. "
        "Never speak for the officer.",
    ]
    if style.hesitations:
        lines.append(f"You sometimes say: {', '.join(style.hesitations)}.")
    return "\n".join(lines)


def turn_instruction(
    persona: Persona,
    mode: Mode,
    say: Sequence[Fact],
    known: Sequence[Fact],
    compliant_yes: bool,
    params: PromptParams,
) -> str:
    """The per-turn instruction, appended to the officer's words in the final message."""
    parts = [f"Mood: {MODE_INSTRUCTIONS[mode]}"]
    examples = persona.example_lines[mode][:2]
    parts.append("Like: " + " / ".join(f'"{line}"' for line in examples))
    if known:
        parts.append("You already told the officer: " + " ".join(fact.disclosure for fact in known))
    if compliant_yes:
        parts.append(COMPLIANT_YES)
    reply = f"Reply as {persona.name} in {params.reply_sentences}"
    if say:
        reply += ", and say: " + " ".join(f'"{fact.disclosure}"' for fact in say)
    parts.append(reply + ".")
    return "\n".join(parts)


def build_messages(
    persona: Persona,
    mode: Mode,
    officer_text: str,
    history: Sequence[Exchange],
    say: Sequence[Fact] = (),
    known: Sequence[Fact] = (),
    compliant_yes: bool = False,
    params: PromptParams | None = None,
) -> list[Message]:
    """System voice, then the recent exchanges that fit the budget, then this turn with its instruction."""
    params = params or PromptParams()
    system = system_prompt(persona)
    final = (
        f"Officer: {officer_text}\n\n[{turn_instruction(persona, mode, say, known, compliant_yes, params)}]"
    )
    budget = params.context_tokens - estimate_tokens(system) - max(estimate_tokens(final),
                                                                    params.final_reserve_tokens)
    costs = [estimate_tokens(e.officer) + estimate_tokens(e.reply) + 8 for e in history]
    start = 0
    while sum(costs[start:]) > budget:
        start += params.history_drop
    kept = history[start:]
    messages: list[Message] = [{"role": "system", "content": system}]
    for exchange in kept:
        messages.append({"role": "user", "content": f"Officer: {exchange.officer}"})
        messages.append({"role": "assistant", "content": exchange.reply})
    messages.append({"role": "user", "content": final})
    return messages
