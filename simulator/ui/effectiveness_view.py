"""The effectiveness view: does a cohort get better? Tables, charts with whole attempt numbers, a
marker and a 95 % interval on every point, and CSV files of the attempts and the curves."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from simulator.effectiveness import (
    Attempt,
    CurvePoint,
    Estimate,
    PairedComparison,
    correct_curve,
    curve,
    numbered,
    paired_first_latest,
)
from simulator.storage.csv_export import neutralise
from simulator.ui import render
from simulator.ui.charts import line_chart

MEASURES: dict[str, Callable[[Attempt], float | None]] = {
    "recommended share": lambda a: a.recommended_share,
    "harmful rate": lambda a: a.harmful_rate,
    "indicator recall": lambda a: a.indicator_recall,
}
CURVE_COLUMNS = ["persona", "measure", "attempt", "n", "mean", "low", "high", "first_date", "last_date"]
ATTEMPT_COLUMNS = ["session_id", "trainee", "persona_id", "attempt", "persona_attempt", "started_at",
                   "recommended_share", "harmful_rate", "verdict_correct", "type_correct",
                   "conclusion_correct", "indicator_recall"]


@dataclass(frozen=True)
class Effectiveness:
    """The figures of one scope (a course, a cohort, or both): attempts of its trainees on its personas."""

    scope: str
    attempts: list[Attempt]
    persona_ids: list[str]

    @cached_property
    def _figures(self) -> dict[str | None, tuple[dict[str, list[CurvePoint]], PairedComparison | None]]:
        """Worked out once per view, overall (None) and per persona: the tables, charts and CSV share them."""
        figures = {}
        for persona_id in [None, *self.persona_ids]:
            found = {name: curve(self.attempts, value, persona_id) for name, value in MEASURES.items()}
            found["correct conclusions"] = correct_curve(self.attempts, persona_id)
            figures[persona_id] = (found, paired_first_latest(self.attempts, MEASURES["recommended share"],
                                                              persona_id))
        return figures

    def curves(self, persona_id: str | None = None) -> dict[str, list[CurvePoint]]:
        return self._figures[persona_id][0]

    def paired(self, persona_id: str | None = None) -> PairedComparison | None:
        return self._figures[persona_id][1]

    def markdown(self) -> str:
        if not self.attempts:
            return (f"### {render.inert(self.scope)}\n\nNo finished interviews yet: the figures appear once "
                    "trainees have concluded interviews with the course's personas.")
        trainees = {a.trainee for a in self.attempts}
        first, last = min(a.started_at for a in self.attempts), max(a.started_at for a in self.attempts)
        lines = [f"### {render.inert(self.scope)}",
                 f"{len(trainees)} trainees, {len(self.attempts)} finished interviews, "
                 f"{first:%Y-%m-%d} to {last:%Y-%m-%d}. Figures use reviewers' corrections where made.",
                 "#### First against latest attempt (recommended questions)", paired_text(self.paired())]
        lines += ["", "| persona | trainees | interviews | first | latest | change | p | d_z |",
                  "|---|---|---|---|---|---|---|---|"]
        for persona_id in self.persona_ids:
            mine = [a for a in self.attempts if a.persona_id == persona_id]
            paired = self.paired(persona_id)
            cells = (["—"] * 5 if paired is None else
                     [render.percent(paired.first_mean), render.percent(paired.latest_mean),
                      points(paired.difference.mean), _number(paired.p, 3), _number(paired.cohen_dz, 2)])
            lines.append(f"| {render.inert(persona_id)} | {len({a.trainee for a in mine})} | {len(mine)} | "
                         + " | ".join(cells) + " |")
        curves = self.curves()
        lines += ["#### By attempt (all personas; mean or share with its 95% interval)",
                  "| attempt | trainees | recommended | correct conclusions | harmful questions | "
                  "observed indicators named |", "|---|---|---|---|---|---|"]
        by_number = {name: {p.attempt: p for p in found} for name, found in curves.items()}
        for point in curves["recommended share"]:
            columns = ("recommended share", "correct conclusions", "harmful rate", "indicator recall")
            cells = [interval_text(by_number[name].get(point.attempt)) for name in columns]
            lines.append(f"| {point.attempt} | {point.estimate.n} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def charts(self) -> str:
        """The overall curves, then the recommended share per persona."""
        if not self.attempts:
            return ""
        curves = self.curves()
        parts = [chart("Recommended questions by attempt (mean, 95% interval)", curves["recommended share"]),
                 chart("Correct conclusions by attempt (share, 95% interval)", curves["correct conclusions"]),
                 chart("Harmful questions by attempt (mean rate, 95% interval)", curves["harmful rate"])]
        for persona_id in self.persona_ids:
            found = self.curves(persona_id)["recommended share"]
            if found:
                parts.append(chart(f"{persona_id}: recommended questions by attempt", found))
        return "".join(f"<div class='effectiveness-chart'>{part}</div>" for part in parts)

    def attempts_csv(self) -> str:
        overall = {a.session_id: n for n, a in numbered(self.attempts)}
        per_persona = {a.session_id: n for persona_id in self.persona_ids
                       for n, a in numbered(self.attempts, persona_id)}
        rows = [[a.session_id, a.trainee, a.persona_id, overall[a.session_id], per_persona.get(a.session_id),
                 a.started_at.isoformat(), a.recommended_share, round(a.harmful_rate, 4), a.verdict_correct,
                 a.type_correct, a.conclusion_correct, a.indicator_recall]
                for _, a in numbered(self.attempts)]
        return csv_text(ATTEMPT_COLUMNS, rows)

    def curves_csv(self) -> str:
        rows = []
        for persona_id in [None, *self.persona_ids]:
            for measure, found in self.curves(persona_id).items():
                for p in found:
                    e = p.estimate
                    rows.append([persona_id or "all", measure, p.attempt, e.n, round(e.mean, 4),
                                 _round(e.low), _round(e.high), f"{p.first_date:%Y-%m-%d}",
                                 f"{p.last_date:%Y-%m-%d}"])
        return csv_text(CURVE_COLUMNS, rows)


def chart(title: str, found: list[CurvePoint]) -> str:
    """Whole attempt numbers on x, percent on y, the interval as whiskers, dates and n in each tooltip."""
    labels = [str(p.attempt) for p in found]
    notes = [f"{p.estimate.n} trainees, {p.first_date:%Y-%m-%d} to {p.last_date:%Y-%m-%d}" for p in found]
    intervals = [None if (e := p.estimate).low is None else (100 * _share(e.low), 100 * _share(e.high))
                 for p in found]
    return line_chart(title, labels, {"mean": [round(100 * p.estimate.mean, 1) for p in found]}, y_max=100,
                      y_unit="%", point_notes=notes, intervals={"mean": intervals})


def paired_text(paired: PairedComparison | None) -> str:
    if paired is None:
        return "Needs at least two trainees with two or more finished interviews."
    d = paired.difference
    span = "" if d.low is None else f", 95% interval {points(d.low)} to {points(d.high)}"
    test = ("every trainee changed by the same amount, so there is no spread to test"
            if paired.t is None else
            f"paired t({paired.df}) = {paired.t:.2f}, p = {paired.p:.3g}; "
            f"effect size d_z = {paired.cohen_dz:.2f}")
    return (f"{paired.n} trainees: {render.percent(paired.first_mean)} at their first attempt, "
            f"{render.percent(paired.latest_mean)} at their latest (change {points(d.mean)}{span}); {test}.")


def interval_text(point: CurvePoint | None) -> str:
    if point is None:
        return "—"
    e: Estimate = point.estimate
    span = "" if e.low is None else f" ({render.percent(_share(e.low))}–{render.percent(_share(e.high))})"
    return render.percent(e.mean) + span


def points(change: float) -> str:
    """A change of a share in percentage points, signed."""
    return f"{100 * change:+.0f} points"


def csv_text(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _number(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}g}" if digits == 3 else f"{value:.{digits}f}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _share(bound: float) -> float:
    """A t interval of a mean share can pass 0 or 100 %; shown, it stops there (the CSV keeps it whole)."""
    return min(1.0, max(0.0, bound))
