"""The officer's conclusion at the end of an interview, scored against the persona's ground truth."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from simulator.personas import INDICATORS, GroundTruth

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
    verdict_correct: bool
    type_correct: bool
    indicators_found: list[str]
    indicators_missed: list[str]
    indicators_wrongly_claimed: list[str]


def score_conclusion(conclusion: Conclusion, truth: GroundTruth) -> ConclusionScore:
    """'Unsure' is never counted correct: the debrief shows what a firm answer would have rested on."""
    expected = "yes" if truth.is_trafficking else "no"
    claimed, actual = set(conclusion.indicators), set(truth.indicators)
    return ConclusionScore(
        verdict_correct=conclusion.likely_victim == expected,
        type_correct=conclusion.type == truth.type,
        indicators_found=sorted(claimed & actual),
        indicators_missed=sorted(actual - claimed),
        indicators_wrongly_claimed=sorted(claimed - actual),
    )
