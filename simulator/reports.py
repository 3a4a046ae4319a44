"""The end-of-session report: a pure function over the assessed officer turns."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from simulator.labels import QUESTION_TYPES, TONES, Assessment

WORST_COUNT = 3
ROLLING_WINDOW = 5


class TurnNote(BaseModel):
    turn: int  # 0-based index of the officer turn
    text: str
    question_type: str
    tone: str
    suggestion: str = ""


class Trend(BaseModel):
    first_half_recommended: float | None  # None when that half is empty
    second_half_recommended: float | None
    rolling_recommended: list[float]  # share recommended over the last ROLLING_WINDOW turns, per turn


class SessionReport(BaseModel):
    turns: int
    recommended_share: float  # the headline figure
    criterion_averages: dict[str, float]
    overall_score: float | None  # criterion averages weighted by the rubric; None without weights
    type_counts: dict[str, int]
    tone_counts: dict[str, int]
    first_invitation: int | None  # turn index of the first open invitation
    first_invitation_text: str | None
    worst: list[TurnNote]
    trend: Trend


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _badness(assessment: Assessment) -> tuple:
    """Harmful first, then leading, then not recommended; ties broken by the lowest criteria mean."""
    mean = sum(assessment.criteria.values()) / len(assessment.criteria) if assessment.criteria else 1.0
    return (assessment.tone != "harmful", assessment.question_type != "suggestive",
            assessment.recommended, mean)


def weighted_mean(scores: dict[str, float], weights: dict[str, float]) -> float | None:
    """Mean of the scores that have a weight, weighted; None when none has."""
    weighted = [name for name in scores if weights.get(name, 0.0) > 0]
    total = sum(weights[name] for name in weighted)
    return round(sum(scores[name] * weights[name] for name in weighted) / total, 3) if total else None


def session_report(assessments: list[Assessment], weights: dict[str, float] | None = None) -> SessionReport:
    recommended = [a.recommended for a in assessments]
    criteria_names = list(dict.fromkeys(name for a in assessments for name in a.criteria))
    averages = {
        name: round(sum(a.criteria[name] for a in assessments if name in a.criteria)
                    / sum(name in a.criteria for a in assessments), 3)
        for name in criteria_names
    }
    type_counts = Counter(a.question_type for a in assessments)
    tone_counts = Counter(a.tone for a in assessments)
    first_invitation = next((i for i, a in enumerate(assessments) if a.question_type == "invitation"), None)
    weak = sorted((i for i, a in enumerate(assessments) if not a.recommended),
                  key=lambda i: _badness(assessments[i]))
    half = len(assessments) // 2
    return SessionReport(
        turns=len(assessments),
        recommended_share=_share(recommended) or 0.0,
        criterion_averages=averages,
        overall_score=weighted_mean(averages, weights or {}),
        type_counts={label: type_counts.get(label, 0) for label in QUESTION_TYPES},
        tone_counts={label: tone_counts.get(label, 0) for label in TONES},
        first_invitation=first_invitation,
        first_invitation_text=None if first_invitation is None else assessments[first_invitation].text,
        worst=[_note(i, assessments[i]) for i in weak[:WORST_COUNT]],
        trend=Trend(
            first_half_recommended=_share(recommended[:half]),
            second_half_recommended=_share(recommended[half:]),
            rolling_recommended=[_share(recommended[max(0, i + 1 - ROLLING_WINDOW):i + 1]) or 0.0
                                 for i in range(len(recommended))],
        ),
    )


def _note(turn: int, assessment: Assessment) -> TurnNote:
    return TurnNote(turn=turn, text=assessment.text, question_type=assessment.question_type,
                    tone=assessment.tone, suggestion=assessment.suggestion)
