"""Does training work? The figures of the effectiveness view, as pure functions over judged attempts.

An attempt is one ended interview with its effective figures (reviewers' overrides applied). Attempts
are numbered per trainee in the order they were started, over the whole scope (overall) or per
persona. Means get a Student-t 95 % interval, shares of correct conclusions a Wilson interval (right
for small cohorts and shares near 0 or 1), and first against latest attempt a paired t-test with
Cohen's d_z, the effect size of a paired design (mean change over the standard deviation of changes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime
from statistics import mean, stdev

from pydantic import BaseModel, ConfigDict
from scipy import stats

CONFIDENCE = 0.95
NO_SPREAD = 1e-12  # changes this alike are equal: 0.5 - 0.4 and 0.4 - 0.3 differ only in rounding


class Attempt(BaseModel):
    """One ended interview, judged with the labels reviewers left."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    trainee: str
    persona_id: str
    started_at: datetime
    recommended_share: float
    harmful_rate: float  # share of the officer's questions whose tone is harmful
    verdict_correct: bool  # victim of trafficking or not
    type_correct: bool  # the exploitation type
    indicator_recall: float | None  # observed indicators the officer named; None when none were observable

    @property
    def conclusion_correct(self) -> bool:
        return self.verdict_correct and self.type_correct


class Estimate(BaseModel):
    """A mean or share with its 95 % interval; no interval from fewer than two values."""

    model_config = ConfigDict(frozen=True)

    n: int
    mean: float
    low: float | None
    high: float | None


class CurvePoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    attempt: int  # 1 = each trainee's first attempt
    estimate: Estimate
    first_date: datetime
    last_date: datetime


class PairedComparison(BaseModel):
    """First against latest attempt of each trainee with at least two."""

    model_config = ConfigDict(frozen=True)

    n: int
    first_mean: float
    latest_mean: float
    difference: Estimate  # latest minus first, with its interval
    t: float | None  # None when every change is the same (no spread to test against)
    df: int
    p: float | None  # two-sided
    cohen_dz: float | None


def mean_ci(values: Iterable[float], confidence: float = CONFIDENCE) -> Estimate:
    values = list(values)
    if not values:
        raise ValueError("no values")
    centre = mean(values)
    if len(values) < 2:
        return Estimate(n=1, mean=centre, low=None, high=None)
    half = stats.t.ppf((1 + confidence) / 2, len(values) - 1) * stdev(values) / math.sqrt(len(values))
    return Estimate(n=len(values), mean=centre, low=centre - half, high=centre + half)


def share_ci(successes: int, n: int, confidence: float = CONFIDENCE) -> Estimate:
    """Wilson score interval of a share."""
    if n < 1:
        raise ValueError("no trials")
    share, z = successes / n, stats.norm.ppf((1 + confidence) / 2)
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return Estimate(n=n, mean=share, low=max(0.0, centre - half), high=min(1.0, centre + half))


def numbered(attempts: Iterable[Attempt], persona_id: str | None = None) -> list[tuple[int, Attempt]]:
    """(attempt number, attempt): per trainee in order started, over one persona or all of them."""
    chosen = [a for a in attempts if persona_id is None or a.persona_id == persona_id]
    counts: dict[str, int] = {}
    result = []
    for attempt in sorted(chosen, key=lambda a: (a.started_at, a.session_id)):
        counts[attempt.trainee] = counts.get(attempt.trainee, 0) + 1
        result.append((counts[attempt.trainee], attempt))
    return result


def curve(attempts: Iterable[Attempt], value: Callable[[Attempt], float | None],
          persona_id: str | None = None) -> list[CurvePoint]:
    """Mean of `value` by attempt number across trainees, with its interval (attempts whose value is
    None are left out)."""
    return _by_number(attempts, persona_id, lambda group: mean_ci(value(a) for a in group), value)


def correct_curve(attempts: Iterable[Attempt], persona_id: str | None = None) -> list[CurvePoint]:
    """Share of correct conclusions (victim or not, and type) by attempt number."""
    return _by_number(attempts, persona_id,
                      lambda group: share_ci(sum(a.conclusion_correct for a in group), len(group)),
                      lambda a: 1.0)


def paired_first_latest(attempts: Iterable[Attempt], value: Callable[[Attempt], float],
                        persona_id: str | None = None) -> PairedComparison | None:
    """Each trainee's first against their latest attempt; None with fewer than two such trainees."""
    runs: dict[str, list[Attempt]] = {}
    for _, attempt in numbered(attempts, persona_id):
        runs.setdefault(attempt.trainee, []).append(attempt)
    pairs = [(value(run[0]), value(run[-1])) for run in runs.values() if len(run) >= 2]
    if len(pairs) < 2:
        return None
    changes = [latest - first for first, latest in pairs]
    spread = stdev(changes)
    varied = spread > NO_SPREAD
    t = mean(changes) / (spread / math.sqrt(len(changes))) if varied else None
    df = len(changes) - 1
    return PairedComparison(
        n=len(pairs), first_mean=mean(p[0] for p in pairs), latest_mean=mean(p[1] for p in pairs),
        difference=mean_ci(changes), t=t, df=df, p=None if t is None else 2 * stats.t.sf(abs(t), df),
        cohen_dz=mean(changes) / spread if varied else None)


def _by_number(attempts, persona_id, estimate, value) -> list[CurvePoint]:
    groups: dict[int, list[Attempt]] = {}
    for number, attempt in numbered(attempts, persona_id):
        if value(attempt) is not None:
            groups.setdefault(number, []).append(attempt)
    return [CurvePoint(attempt=number, estimate=estimate(group), first_date=min(a.started_at for a in group),
                       last_date=max(a.started_at for a in group))
            for number, group in sorted(groups.items())]
