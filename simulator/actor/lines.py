"""Authored lines for a planned reply, never one the persona has already said in this session.

The order says how specific a line is: a line that answers the officer's act (a threat, an offer of water:
simulator/actor/acts.yaml) when the plan names one, then an evasion written for the very topic the
officer touched, then one made from the topic's name (topic_lines.yaml), then the persona's own lines for
the mood, then generic lines for the reply's aim (generic_lines.yaml), the last resort for personas
written with few lines.
"""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from simulator.actor.acts import act_lines, first_person
from simulator.actor.plan import AIMS, ReplyPlan
from simulator.actor.vocabulary import STANCES
from simulator.embeddings import Embedder
from simulator.personas import Persona

GENERIC_LINES = Path(__file__).with_name("generic_lines.yaml")
TOPIC_LINES = Path(__file__).with_name("topic_lines.yaml")
INVERTED = re.compile(r"\b(do|does|did|are|is|was|were|have|has|can|could|will|would)\s+(you|he|she)\b",
                      re.IGNORECASE)
QUESTION_OPENERS = frozenset({"has", "have", "had", "are", "is", "was", "were", "do", "does", "did", "can",
                              "could", "will", "would", "should", "who", "what", "why", "which", "when"})
EVASIVE_AIMS = frozenset({"deflect", "deny", "minimise", "test", "quiet", "partial", "refuse", "distress"})
# When a long hostile interview has used every fitting line, lines that keep a person closed come next.
CLOSED_AIMS = ("quiet", "refuse", "deflect", "deny", "distress")


def normal(text: str) -> str:
    """A line's words in lower case: what counts as saying the same thing again."""
    return " ".join(re.findall(r"[^\W_]+(?:'[^\W_]+)?", text.lower()))


def said_before(line: str, said: set[str]) -> bool:
    """The same words, or the words of an earlier reply inside it or it inside one ("Okay. And after, I
    can go?" after "And after, I can go?"): a person does not repeat a line with a word added."""
    words = normal(line)
    if words in said:
        return True
    return len(words.split()) >= 3 and any(
        len(earlier.split()) >= 3 and (words in earlier or earlier in words) for earlier in said)


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


@cache
def topic_templates() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(TOPIC_LINES.read_text(encoding="utf-8"))
    unknown = set(data) - EVASIVE_AIMS - {"told"}
    if unknown:
        raise ValueError(f"{TOPIC_LINES}: unknown aims {', '.join(sorted(unknown))}")
    return {aim: tuple(lines) for aim, lines in data.items()}


def speakable(topic: str) -> bool:
    """A noun phrase ("my passport", "where she lives") fits the templates; a question ("has anyone hurt
    you", a fact's cue when no topic was written) does not."""
    return topic.split()[0].lower() not in QUESTION_OPENERS


def topic_line(template: str, topic: str) -> str:
    spoken = first_person(topic)
    return template.replace("{Topic}", spoken[:1].upper() + spoken[1:]).replace("{topic}", spoken)


class LineBook:
    """One persona's authored lines, tiered by how well they fit a plan."""

    def __init__(self, persona: Persona, embedder: Embedder | None = None):
        self.persona = persona
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    def topic_lines(self, plan: ReplyPlan) -> list[str]:
        """Evasions written for the locked topic the officer touched, when the plan avoids it."""
        if plan.topic_status != "locked" or plan.topic_fact is None or plan.aim not in EVASIVE_AIMS:
            return []
        return list(self.persona.fact(plan.topic_fact).evasions)

    def made_topic_lines(self, plan: ReplyPlan) -> list[str]:
        """Lines made from the topic's name, for a locked topic avoided or a told one come back to."""
        topic = plan.topic
        if topic is None or not speakable(topic):
            return []
        key = "told" if plan.topic_status == "told" else plan.aim
        templates = topic_templates().get(key, ())
        if INVERTED.search(topic):  # "where do you sleep" is only said as an echo: "Where do I sleep? ..."
            templates = [template for template in templates if template.startswith("{Topic}")]
        return [topic_line(template, topic) for template in templates]

    def act_lines(self, plan: ReplyPlan) -> list[list[str]]:
        """The persona's own answers to the officer's act, then the generic ones in its register."""
        if plan.act is None:
            return [[], []]
        stance = STANCES[plan.mode]
        own = self.persona.responses.get(plan.act, {}).get(stance, [])
        return [list(own), act_lines()[plan.act].for_persona(stance, self.persona)]

    def named_tiers(self, plan: ReplyPlan) -> list[tuple[str, list[str]]]:
        own_act, act = self.act_lines(plan)
        mood = list(self.persona.example_lines[plan.mode])
        closed = [line for aim in CLOSED_AIMS for line in generic_lines()[aim]]
        tiers = [("own act", own_act), ("act", act), ("topic", self.topic_lines(plan)),
                 ("made topic", self.made_topic_lines(plan)), ("mood", mood),
                 ("aim", list(generic_lines()[plan.aim])), ("closed", closed)]
        if plan.aim == "comply":  # a yes that agrees with the officer's suggestion, whatever the mood
            tiers[4], tiers[5] = tiers[5], tiers[4]
        return tiers

    def tiers(self, plan: ReplyPlan) -> list[list[str]]:
        return [lines for _, lines in self.named_tiers(plan)]

    def pick(self, plan: ReplyPlan, said: set[str], rng: random.Random, officer: np.ndarray | None = None,
             topic_only: bool = False) -> str | None:
        """The first fitting line not yet said (normalised), shuffled within a tier; None when all were.
        Given the officer's embedding, the mood's lines come nearest first: with no topic or act to
        answer, the line closest to what was asked is the most responsive one the author wrote."""
        tiers = [("topic", self.topic_lines(plan))] if topic_only else self.named_tiers(plan)
        for name, tier in tiers:
            rng.shuffle(tier)
            if name == "mood" and officer is not None and self.embedder is not None:
                tier = self.nearest_first(tier, officer)
            for line in tier:
                if not said_before(line, said) and not is_stage_direction(line):
                    return line
        return None

    def nearest_first(self, lines: list[str], officer: np.ndarray) -> list[str]:
        missing = [line for line in lines if line not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.embedder.embed(missing), strict=True))
        return sorted(lines, key=lambda line: -float(self._vectors[line] @ officer))

    def any_line(self, mode: str, rng: random.Random) -> str:
        """A line of the mood to say when nothing else is left (it may have been said before)."""
        spoken = [line for line in self.persona.example_lines[mode] if not is_stage_direction(line)]
        return rng.choice(spoken or list(generic_lines()["quiet"]))
