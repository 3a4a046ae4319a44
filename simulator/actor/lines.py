"""Authored lines for a planned reply, never one the persona has already said in this session.

The order says how specific a line is: an evasion written for the very topic the officer touched, then
the persona's own lines for the mood, then generic lines for the reply's aim (simulator/actor/
generic_lines.yaml), the last resort for personas written with few lines.
"""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import yaml

from simulator.actor.plan import AIMS, ReplyPlan
from simulator.personas import Persona

GENERIC_LINES = Path(__file__).with_name("generic_lines.yaml")
EVASIVE_AIMS = frozenset({"deflect", "deny", "minimise", "test", "quiet", "partial", "refuse", "distress"})
# When a long hostile interview has used every fitting line, lines that keep a person closed come next.
CLOSED_AIMS = ("quiet", "refuse", "deflect", "deny", "distress")


def normal(text: str) -> str:
    """A line's words in lower case: what counts as saying the same thing again."""
    return " ".join(re.findall(r"[^\W_]+(?:'[^\W_]+)?", text.lower()))


def is_stage_direction(line: str) -> bool:
    """"(He looks at the floor.)" describes rather than speaks: not a line to say aloud."""
    return line.lstrip().startswith(("(", "*", "["))


@cache
def generic_lines() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(GENERIC_LINES.read_text(encoding="utf-8"))
    missing = set(AIMS) - set(data)
    if missing:
        raise ValueError(f"{GENERIC_LINES}: no lines for aims {', '.join(sorted(missing))}")
    return {aim: tuple(lines) for aim, lines in data.items()}


class LineBook:
    """One persona's authored lines, tiered by how well they fit a plan."""

    def __init__(self, persona: Persona):
        self.persona = persona

    def topic_lines(self, plan: ReplyPlan) -> list[str]:
        """Evasions written for the locked topic the officer touched, when the plan avoids it."""
        if plan.topic_status != "locked" or plan.topic_fact is None or plan.aim not in EVASIVE_AIMS:
            return []
        return list(self.persona.fact(plan.topic_fact).evasions)

    def tiers(self, plan: ReplyPlan) -> list[list[str]]:
        return [self.topic_lines(plan), list(self.persona.example_lines[plan.mode]),
                list(generic_lines()[plan.aim]),
                [line for aim in CLOSED_AIMS for line in generic_lines()[aim]]]

    def pick(self, plan: ReplyPlan, said: set[str], rng: random.Random,
             topic_only: bool = False) -> str | None:
        """The first fitting line not yet said (normalised), shuffled within a tier; None when all were."""
        for tier in self.tiers(plan)[:1] if topic_only else self.tiers(plan):
            rng.shuffle(tier)
            for line in tier:
                if normal(line) not in said and not is_stage_direction(line):
                    return line
        return None

    def any_line(self, mode: str, rng: random.Random) -> str:
        """A line of the mood to say when nothing else is left (it may have been said before)."""
        spoken = [line for line in self.persona.example_lines[mode] if not is_stage_direction(line)]
        return rng.choice(spoken or list(generic_lines()["quiet"]))
