"""The officer's conclusion at the end of an interview, scored against the persona's ground truth."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from simulator.personas import INDICATORS, GroundTruth, Persona

Verdict = Literal["yes", "no", "unsure"]
TraffickingType = Literal["labour", "sexual", "domestic_servitude", "criminal", "none"]


class Conclusion(BaseModel):
    """What the officer believes after the interview (asked before anything is revealed)."""

    likely_victim: Verdict
    type: TraffickingType = "none"
    indicators: list[str] = Field(default_factory=list)

    @field_validator("indicators")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        unknown = [v for v in values if v not in INDICATORS]
        if unknown:
            raise ValueError(f"unknown indicators: {', '.join(unknown)}")
        return sorted(set(values))


class ConclusionScore(BaseModel):
    """Claims are judged against what this interview brought out, not against the answer sheet: an
    indicator the person never revealed cannot have been observed, so ticking it is a guess."""

    verdict_correct: bool
    type_correct: bool
    indicators_supported: list[str]  # claimed, and disclosed in this interview
    indicators_unsupported: list[str]  # claimed, but never disclosed here (guessed or assumed)
    indicators_missed: list[str]  # disclosed here, but not claimed
    indicators_never_revealed: list[str]  # true of the person, never disclosed: not held against anyone


def observed_indicators(persona: Persona, disclosed_fact_ids: list[str]) -> set[str]:
    """Indicators the officer could have observed: those of the facts disclosed, and being a minor,
    which the persona card's age shows from the start."""
    observed = {persona.fact(fact_id).indicator for fact_id in disclosed_fact_ids}
    return observed | ({"minor"} if persona.is_minor else set())


def score_conclusion(conclusion: Conclusion, truth: GroundTruth, observed: set[str]) -> ConclusionScore:
    """'Unsure' is never counted correct: the debrief shows what a firm answer would have rested on."""
    expected = "yes" if truth.is_trafficking else "no"
    claimed = set(conclusion.indicators)
    return ConclusionScore(
        verdict_correct=conclusion.likely_victim == expected,
        type_correct=conclusion.type == truth.type,
        indicators_supported=sorted(claimed & observed),
        indicators_unsupported=sorted(claimed - observed),
        indicators_missed=sorted(observed - claimed),
        indicators_never_revealed=sorted(set(truth.indicators) - observed),
    )
