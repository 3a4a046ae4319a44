"""Rule-gated disclosure: which hidden facts the persona may reveal this turn.

A fact is released only when trust (adjusted for how the question was asked) reaches the fact's
`trust_required` AND the officer's words touch its topic. Open invitations unlock more than
option-posing questions; suggestive questions unlock nothing and may draw a compliant, unreliable
"yes" that contaminates the account, as it would in a real interview.
"""

from __future__ import annotations

import random
import re

import numpy as np
from pydantic import BaseModel, Field

from simulator.embeddings import Embedder, embed_fixed
from simulator.labels import Assessment
from simulator.personas import Fact, Persona
from simulator.state import PersonaState

SILENT_MODES = ("shut_down", "distressed")
FUNCTION_WORDS = frozenset(
    "a an the i me my you your yours he she it we they him her them his their our us is are was were be "
    "been do does did doing have has had can could would will shall should may might must what who whom "
    "where when why how which that this these those there here to of in on at for with about from by as "
    "and or if any some tell ask say".split()
)


class DisclosureParams(BaseModel):
    similarity_threshold: float = Field(default=0.45, ge=0.0, le=1.0)
    # per question type: (effective-trust bonus, similarity-threshold offset)
    question_adjustments: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "invitation": (0.1, -0.05),
            "directive": (0.0, 0.0),
            "option_posing": (-0.1, 0.05),
            "statement": (0.0, 0.0),
        }
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
    compliance_base: float = Field(default=0.35, ge=0.0, le=1.0)  # chance of a compliant "yes"
    compliance_fear: float = Field(default=0.4, ge=0.0, le=1.0)  # added at fear 1.0
    compliance_minor: float = Field(default=0.15, ge=0.0, le=1.0)  # children are more suggestible


class Disclosure(BaseModel):
    """The engine's decision for one turn."""

    released: list[str] = Field(default_factory=list)  # fact ids the persona reveals now, in order
    recalled: list[str] = Field(
        default_factory=list
    )  # already-disclosed facts the officer asked about again
    contaminated: bool = False  # a compliant "yes" to a suggestive question: unreliable evidence
    leading_content: str = ""  # what the officer suggested


class CueIndex:
    """Cue phrases of several items (facts or triggers), embedded once, matched by words or by meaning.

    `by_words`: a cue also matches when all its content words occur in the text ("tell me about your
    work" touches the cue "what work do you do"); triggers use whole phrases, because a false trigger
    punishes the trainee.
    """

    def __init__(self, cue_lists: list[list[str]], embedder: Embedder, by_words: bool = False):
        self._owner = np.array([i for i, cues in enumerate(cue_lists) for _ in cues], dtype=np.int64)
        flat = [cue for cues in cue_lists for cue in cues]
        self._vectors = embed_fixed(embedder, flat) if flat else np.zeros((0, 1), dtype=np.float32)
        self._patterns = [_cue_pattern(cue, by_words) for cue in flat]
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


def _cue_pattern(cue: str, by_words: bool) -> re.Pattern[str]:
    """Words match as prefixes, so "deport" also matches "deported"."""
    words = re.findall(r"[^\W_]+(?:'[^\W_]+)?", cue.lower())
    content = [w for w in words if w not in FUNCTION_WORDS] if by_words else []
    if not content:
        return re.compile(r"\b" + re.escape(cue.lower().strip()))
    return re.compile("".join(rf"(?=.*\b{re.escape(word)})" for word in content), re.DOTALL)


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


def touched_facts(
    assessment: Assessment, topic_scores: np.ndarray, persona: Persona, params: DisclosureParams | None = None
) -> list[Fact]:
    """The facts whose topic the officer's words reach, closest first (then the easiest to tell)."""
    params = params or DisclosureParams()
    offset = params.question_adjustments.get(assessment.question_type, (0.0, 0.0))[1]
    threshold = params.similarity_threshold + offset
    touched = [(float(topic_scores[i]), fact) for i, fact in enumerate(persona.facts)
               if topic_scores[i] >= threshold]
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
        if state.mode == "shut_down":
            return Disclosure()
        chance = params.compliance_base + params.compliance_fear * state.fear
        chance += params.compliance_minor if persona.is_minor else 0.0
        if rng.random() < chance:
            return Disclosure(contaminated=True, leading_content=leading_content(assessment))
        return Disclosure()

    bonus = params.question_adjustments.get(assessment.question_type, (0.0, 0.0))[0]
    touched = touched_facts(assessment, topic_scores, persona, params)
    recalled = [fact.id for fact in touched if fact.id in disclosed][: params.max_recalled]
    if state.mode in SILENT_MODES:
        return Disclosure(recalled=recalled)
    effective_trust = state.trust + bonus
    ready = [
        fact.id
        for fact in touched
        if fact.id not in disclosed and fact.trust_required <= effective_trust
    ]
    return Disclosure(released=ready[: params.max_per_mode.get(state.mode, 0)], recalled=recalled)
