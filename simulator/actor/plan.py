"""The reply plan: what the persona does this turn, decided by the engine before any words are chosen.

The mode says how the persona feels overall; the plan adds what the officer's words touched (a fact,
locked or already told, or a trigger), which fear or belief applies, and the reply's aim (deflect,
test the officer, comply, push back...). An authored line or the actor model then only has to word it,
so every reply answers something about what was asked, as in avatar-based interview training.
"""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel, Field

from simulator.labels import Assessment
from simulator.personas import Fact, Mode, Persona, Trigger

Aim = Literal[
    "answer", "partial", "deflect", "minimise", "deny", "test", "refuse", "quiet", "comply", "correct",
    "defiant", "distress", "accept", "redirect", "disclose",
]
AIMS: tuple[str, ...] = Aim.__args__
TopicStatus = Literal["locked", "told"]

HOSTILE_FLAGS = frozenset({"threat", "blame", "disbelief", "pressure"})
REASSURING_FLAGS = frozenset({"explains_process", "offer_of_choice", "acknowledges_feelings"})
# With no topic touched, what each mode does by default (the first is likelier).
MODE_AIMS: dict[str, tuple[Aim, ...]] = {
    "guarded": ("deny", "answer", "deflect"),
    "testing": ("test", "answer"),
    "deflecting": ("deflect", "deny"),
    "minimising": ("minimise", "deny"),
    "distressed": ("distress", "refuse"),
    "shut_down": ("quiet", "refuse"),
    "partial_disclosure": ("partial", "accept", "test"),
    "open_disclosure": ("answer", "accept", "partial"),
}
# A hostile turn's reaction (simulator/state.py react_to_hostility) says what the reply does: push back
# (defiance, asking to leave), placate, or withdraw.
HOSTILE_AIMS: dict[str, tuple[Aim, ...]] = {
    "deflecting": ("defiant", "refuse"),
    "minimising": ("minimise", "deny"),
    "guarded": ("deny", "defiant"),
}
# When a locked topic is touched, how each mode avoids it.
LOCKED_AIMS: dict[str, tuple[Aim, ...]] = {
    "guarded": ("deflect", "deny"),
    "testing": ("test", "deflect"),
    "deflecting": ("deflect",),
    "minimising": ("minimise", "deflect"),
    "distressed": ("distress",),
    "shut_down": ("quiet",),
    "partial_disclosure": ("partial", "test"),
    "open_disclosure": ("partial",),
}


class ReplyPlan(BaseModel):
    """Everything the voice needs for one reply, and nothing it must not say."""

    mode: Mode
    aim: Aim
    topic: str | None = None  # a neutral label of what was touched ("her passport"), never the fact
    topic_status: TopicStatus | None = None
    topic_fact: str | None = None  # the fact id behind the topic (for authored evasions; never shown)
    feeling: str | None = None  # the fear or protective belief that drives the reply
    say: list[str] = Field(default_factory=list)  # authored disclosures released this turn
    told: list[str] = Field(default_factory=list)  # earlier disclosures the officer came back to
    act: str | None = None  # what the officer's words did, when the reply answers that (acts.py)


def topic_label(fact: Fact) -> str:
    """The topic of a fact without its content: the authored `topic`, else its first cue."""
    return fact.topic or fact.cues[0]


def make_plan(
    persona: Persona,
    mode: Mode,
    assessment: Assessment,
    touched: list[Fact],
    released: list[Fact],
    recalled: list[Fact],
    contaminated: bool,
    triggers: list[Trigger],
    rng: random.Random,
) -> ReplyPlan:
    """Decide the reply's aim from the turn's facts. `touched` are the facts whose topic the officer's
    words reached, best first (released or not); `recalled` those already disclosed earlier."""
    flags = set(assessment.flags)
    hostile = assessment.tone == "harmful" or bool(flags & HOSTILE_FLAGS)
    locked = [f for f in touched if f not in released and f not in recalled]
    feeling = _feeling(persona, triggers, rng)
    if released:
        fact = released[0]
        return ReplyPlan(mode=mode, aim="disclose", topic=topic_label(fact), topic_fact=fact.id,
                         say=[f.disclosure for f in released], feeling=feeling)
    if contaminated:
        return ReplyPlan(mode=mode, aim="comply", feeling=feeling)
    topic = locked[0] if locked else recalled[0] if recalled else None
    status: TopicStatus | None = None if topic is None else "locked" if locked else "told"
    if mode == "shut_down":
        aim: Aim = "refuse" if hostile else "quiet"
    elif hostile and mode in HOSTILE_AIMS:
        aim = _pick(HOSTILE_AIMS[mode], rng)
    elif status == "locked":
        aim = _pick(LOCKED_AIMS[mode], rng)
    elif status == "told":
        aim = "partial" if mode in ("partial_disclosure", "open_disclosure", "testing") else "answer"
    elif flags & REASSURING_FLAGS and mode not in ("distressed", "deflecting"):
        aim = "accept" if mode in ("partial_disclosure", "open_disclosure") else "test"
    else:
        aim = _pick(MODE_AIMS[mode], rng)
    return ReplyPlan(
        mode=mode, aim=aim, feeling=feeling,
        topic=topic_label(topic) if topic else None, topic_status=status,
        topic_fact=topic.id if topic else None,
        told=[f.disclosure for f in recalled],
    )


def _pick(aims: tuple[Aim, ...], rng: random.Random) -> Aim:
    """The first aim two times in three, else another: a reply style that never varies reads canned."""
    return aims[0] if len(aims) == 1 or rng.random() < 2 / 3 else rng.choice(aims[1:])


def _feeling(persona: Persona, triggers: list[Trigger], rng: random.Random) -> str:
    """A trigger's fear when one fired, else one of the persona's fears or beliefs."""
    if triggers:
        return triggers[0].name
    return rng.choice([*persona.fears, *persona.protective_beliefs])
