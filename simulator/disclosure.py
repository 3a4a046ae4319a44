"""Rule-gated disclosure: which hidden facts the persona may reveal this turn.

A fact is released only when trust (adjusted for how the question was asked) reaches the fact's
`trust_required` AND the officer's words touch its topic (simulator/touching.py). Open invitations
unlock more than option-posing questions; suggestive questions unlock nothing and may draw a compliant,
unreliable "yes", likelier for a suggestible or frightened persona. Whether that yes contaminates the
account is settled by the reply actually shown (simulator/agreement.py), not by this decision.
"""

from __future__ import annotations

import random
import re

import numpy as np
from pydantic import BaseModel, Field

from simulator.embeddings import Embedder, embed_fixed
from simulator.labels import Assessment
from simulator.language import is_substantive_english
from simulator.personas import Fact, Persona
from simulator.state import PersonaState
from simulator.touching import TouchParams

SILENT_MODES = ("shut_down", "distressed")


class DisclosureParams(BaseModel):
    touch: TouchParams = Field(default_factory=TouchParams)
    # Effective-trust bonus per question type: how the question is asked counts, not only what it asks.
    trust_bonus: dict[str, float] = Field(
        default_factory=lambda: {"invitation": 0.1, "option_posing": -0.1}
    )
    max_per_mode: dict[str, int] = Field(
        default_factory=lambda: {
            "open_disclosure": 2,
            "partial_disclosure": 1,
            "testing": 1,
            "guarded": 1,
            "minimising": 1,
            "deflecting": 0,
            "distressed": 0,
            "shut_down": 0,
        }
    )
    max_recalled: int = Field(default=2, ge=0)
    # Chance of a compliant "yes": the persona's suggestibility x (compliance_calm + fear), at most 1.
    compliance_calm: float = Field(default=0.5, ge=0.0, le=1.0)


class Disclosure(BaseModel):
    """The engine's decision for one turn."""

    released: list[str] = Field(default_factory=list)  # fact ids the persona reveals now, in order
    recalled: list[str] = Field(
        default_factory=list
    )  # already-disclosed facts the officer asked about again
    complies: bool = False  # the reply goes along with a suggestion (the reply shown decides contamination)
    leading_content: str = ""  # what the officer suggested, when it could be taken up


class CueIndex:
    """Cue phrases of several items (triggers), embedded once, matched as whole phrases or by meaning."""

    def __init__(self, cue_lists: list[list[str]], embedder: Embedder):
        self._owner = np.array([i for i, cues in enumerate(cue_lists) for _ in cues], dtype=np.int64)
        flat = [cue for cues in cue_lists for cue in cues]
        self._vectors = embed_fixed(embedder, flat) if flat else np.zeros((0, 1), dtype=np.float32)
        self._patterns = [re.compile(r"\b" + re.escape(cue.lower().strip())) for cue in flat]
        self._count = len(cue_lists)

    def scores(self, text: str, vector: np.ndarray) -> np.ndarray:
        """Per item, the best cue similarity (1.0 where a cue matches the words of the text)."""
        best = np.zeros(self._count, dtype=np.float32)
        if not len(self._owner):
            return best
        similarities = self._vectors @ np.asarray(vector, dtype=np.float32)
        lowered = text.lower()
        for row, (owner, pattern) in enumerate(zip(self._owner, self._patterns, strict=True)):
            score = 1.0 if pattern.search(lowered) else float(similarities[row])
            best[owner] = max(best[owner], score)
        return best


def is_suggestive(assessment: Assessment) -> bool:
    return assessment.question_type == "suggestive" or bool(
        {"leading", "tag_question"} & set(assessment.flags)
    )


def leading_content(assessment: Assessment) -> str:
    """The suggestive sentences, or the whole utterance when the scorer gave no per-sentence detail."""
    suggestive = [
        s.text
        for s in assessment.sentences
        if s.question_type == "suggestive" or {"leading", "tag_question"} & set(s.flags)
    ]
    return " ".join(suggestive) or assessment.text


def touched_facts(topic_scores: np.ndarray, persona: Persona) -> list[Fact]:
    """The facts whose topic the officer's words reach (TopicIndex.scores above 0), closest first
    (then the easiest to tell)."""
    touched = [(float(topic_scores[i]), fact) for i, fact in enumerate(persona.facts) if topic_scores[i] > 0]
    touched.sort(key=lambda pair: (-pair[0], pair[1].trust_required))
    return [fact for _, fact in touched]


def decide(
    state: PersonaState,
    assessment: Assessment,
    topic_scores: np.ndarray,
    disclosed: list[str],
    persona: Persona,
    rng: random.Random,
    params: DisclosureParams | None = None,
) -> Disclosure:
    """Which facts to reveal after the state update (`state` is the new state)."""
    params = params or DisclosureParams()
    if is_suggestive(assessment):
        # A message in another language, or with nothing in it, suggests nothing the persona could take up.
        if state.mode == "shut_down" or not is_substantive_english(assessment.text):
            return Disclosure()
        chance = min(1.0, persona.temperament.suggestibility * (params.compliance_calm + state.fear))
        return Disclosure(complies=rng.random() < chance, leading_content=leading_content(assessment))

    bonus = params.trust_bonus.get(assessment.question_type, 0.0)
    touched = touched_facts(topic_scores, persona)
    recalled = [fact.id for fact in touched if fact.id in disclosed][: params.max_recalled]
    if state.mode in SILENT_MODES:
        return Disclosure(recalled=recalled)
    effective_trust = state.trust + bonus
    candidates = [f for f in touched if f.id not in disclosed and f.trust_required <= effective_trust]
    ready: list[str] = []
    waiting = True
    while waiting:  # a fact waits for those it comes `after`, told before or just before it this turn
        waiting = False
        for fact in candidates:
            if fact.id not in ready and set(fact.after) <= {*disclosed, *ready}:
                ready.append(fact.id)
                waiting = True
    return Disclosure(released=ready[: params.max_per_mode.get(state.mode, 0)], recalled=recalled)
