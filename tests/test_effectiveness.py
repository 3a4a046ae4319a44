"""The effectiveness figures against values worked out by hand (closed forms noted beside each)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulator.effectiveness import (
    Attempt,
    correct_curve,
    curve,
    mean_ci,
    numbered,
    paired_first_latest,
    share_ci,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def attempt(trainee: str, day: int, share: float, persona: str = "lan", *, harmful: float = 0.0,
            verdict: bool = True, kind: bool = True, recall: float | None = None) -> Attempt:
    return Attempt(session_id=f"{trainee}-{persona}-{day}", trainee=trainee, persona_id=persona,
                   started_at=T0 + timedelta(days=day), recommended_share=share, harmful_rate=harmful,
                   verdict_correct=verdict, type_correct=kind, indicator_recall=recall)


def test_mean_and_t_interval():
    # mean 0.5, sd 0.1, se 0.1/sqrt(3) = 0.0577350; t(0.975, 2) = 4.302653; half width 0.2484138
    estimate = mean_ci([0.4, 0.5, 0.6])
    assert (estimate.n, estimate.mean) == (3, pytest.approx(0.5))
    assert estimate.low == pytest.approx(0.2515862, abs=1e-6)
    assert estimate.high == pytest.approx(0.7484138, abs=1e-6)
    single = mean_ci([0.7])
    assert (single.mean, single.low, single.high) == (0.7, None, None)


def test_wilson_interval_of_a_share():
    # 3 of 4, z = 1.959964: centre (0.75 + z²/8)/(1 + z²/4) = 0.627524,
    # half z*sqrt(0.75*0.25/4 + z²/64)/(1 + z²/4) = 0.326885
    estimate = share_ci(3, 4)
    assert estimate.mean == 0.75
    assert estimate.low == pytest.approx(0.300639, abs=1e-5)
    assert estimate.high == pytest.approx(0.954409, abs=1e-5)
    none = share_ci(0, 5)  # 0 of 5: from 0 to z²/(5 + z²) = 0.434482
    assert none.low == 0.0 and none.high == pytest.approx(0.434482, abs=1e-5)


def test_attempts_are_numbered_per_trainee_in_order_started():
    attempts = [attempt("b", 2, 0.5), attempt("a", 3, 0.6, "stoyan"), attempt("a", 1, 0.4),
                attempt("b", 5, 0.7)]
    assert [(n, a.trainee, a.started_at.day) for n, a in numbered(attempts)] == [
        (1, "a", 2), (1, "b", 3), (2, "a", 4), (2, "b", 6)]
    assert [(n, a.trainee) for n, a in numbered(attempts, "lan")] == [(1, "a"), (1, "b"), (2, "b")]


def test_learning_curve_by_attempt_number():
    attempts = [attempt("a", 1, 0.4), attempt("b", 1, 0.5), attempt("c", 1, 0.6),
                attempt("a", 2, 0.6), attempt("b", 2, 0.6), attempt("c", 2, 0.6),
                attempt("a", 3, 0.9)]
    points = curve(attempts, lambda a: a.recommended_share)
    assert [p.attempt for p in points] == [1, 2, 3]
    assert [p.estimate.n for p in points] == [3, 3, 1]
    assert points[0].estimate.mean == pytest.approx(0.5)
    assert points[0].estimate.low == pytest.approx(0.2515862, abs=1e-6)  # as in test_mean_and_t_interval
    assert (points[1].estimate.low, points[1].estimate.high) == (pytest.approx(0.6), pytest.approx(0.6))
    assert points[2].estimate.low is None
    assert points[0].first_date == T0 + timedelta(days=1)


def test_values_left_unknown_are_left_out_of_a_curve():
    attempts = [attempt("a", 1, 0.4, recall=0.5), attempt("b", 1, 0.5, recall=None), attempt("c", 1, 0.5,
                                                                                              recall=1.0)]
    (point,) = curve(attempts, lambda a: a.indicator_recall)
    assert (point.estimate.n, point.estimate.mean) == (2, 0.75)


def test_first_against_latest_paired_t_test_and_effect_size():
    # changes 0.2, 0.1, 0.3: mean 0.2, sd 0.1, t = 0.2/(0.1/sqrt 3) = 3.464102 with 2 df;
    # two-sided p = 2*(1 - F(t)), F(t) = 1/2 + t/(2*sqrt(2 + t²)) for 2 df:
    # p = 1 - 3.464102/sqrt(14) = 0.074180;
    # d_z = 0.2/0.1 = 2.0
    attempts = [attempt("a", 1, 0.4), attempt("a", 4, 0.3), attempt("a", 9, 0.6),  # first 0.4, latest 0.6
                attempt("b", 2, 0.5), attempt("b", 6, 0.6),
                attempt("c", 3, 0.3), attempt("c", 7, 0.6),
                attempt("d", 3, 0.9)]  # one attempt only: not paired
    result = paired_first_latest(attempts, lambda a: a.recommended_share)
    assert (result.n, result.df) == (3, 2)
    assert result.first_mean == pytest.approx(0.4) and result.latest_mean == pytest.approx(0.6)
    assert result.difference.mean == pytest.approx(0.2)
    assert result.t == pytest.approx(3.464102, abs=1e-6)
    assert result.p == pytest.approx(0.074180, abs=1e-6)
    assert result.cohen_dz == pytest.approx(2.0)


def test_no_paired_test_without_spread_or_pairs():
    same = [attempt("a", 1, 0.4), attempt("a", 2, 0.5), attempt("b", 1, 0.3), attempt("b", 2, 0.4)]
    result = paired_first_latest(same, lambda a: a.recommended_share)
    assert result.difference.mean == pytest.approx(0.1) and result.t is None and result.p is None
    assert result.cohen_dz is None
    assert paired_first_latest(same[:2], lambda a: a.recommended_share) is None


def test_correct_conclusions_and_harmful_rate_over_attempts():
    attempts = [attempt("a", 1, 0.4, verdict=False, harmful=0.5),
                attempt("b", 1, 0.4, kind=False, harmful=0.1),
                attempt("c", 1, 0.4, harmful=0.0), attempt("d", 1, 0.4, harmful=0.2),
                attempt("a", 2, 0.6, harmful=0.0), attempt("b", 2, 0.6, harmful=0.0),
                attempt("c", 2, 0.6, harmful=0.0), attempt("d", 2, 0.6, verdict=False, harmful=0.0)]
    first, second = correct_curve(attempts)
    assert (first.estimate.n, first.estimate.mean) == (4, 0.5)  # a wrong verdict or a wrong type is wrong
    assert second.estimate.mean == 0.75 and second.estimate.low == pytest.approx(0.300639, abs=1e-5)
    harmful = curve(attempts, lambda a: a.harmful_rate)
    assert [round(p.estimate.mean, 6) for p in harmful] == [0.2, 0.0]


def test_the_view_states_the_figures_and_exports_them_safely():
    from simulator.ui.effectiveness_view import Effectiveness

    attempts = [attempt("a", 1, 0.4), attempt("a", 4, 0.3), attempt("a", 9, 0.6),
                attempt("b", 2, 0.5), attempt("b", 6, 0.6),
                attempt("=cmd", 3, 0.3), attempt("=cmd", 7, 0.6)]  # a name a spreadsheet would run
    view = Effectiveness(scope="Course X", attempts=attempts, persona_ids=["lan"])
    text = view.markdown()
    assert "3 trainees, 7 finished interviews" in text
    assert ("3 trainees: 40% at their first attempt, 60% at their latest (change +20 points, 95% interval "
            "-5 points to +45 points); paired t(2) = 3.46, p = 0.0742; effect size d_z = 2.00.") in text
    assert "| 3 | 1 | 60% | 100% (21%–100%) | 0% | — |" in text  # attempt 3: one trainee, no t interval
    charts = view.charts()
    assert charts.count("class='marker'") == 4 * 3  # three overall charts and one persona's, 3 points each
    rows = view.attempts_csv().splitlines()
    assert len(rows) == 8 and rows[0].startswith("session_id,trainee,persona_id,attempt")
    assert any(",'=cmd," in row for row in rows)
    first_row = view.curves_csv().splitlines()[1]  # the interval of test_mean_and_t_interval
    assert first_row == "all,recommended share,1,3,0.4,0.1516,0.6484,2026-03-02,2026-03-04"


def test_a_shares_interval_is_shown_within_0_and_100_percent():
    from simulator.ui.effectiveness_view import Effectiveness

    # 0.9 and 1.0: mean 0.95, sd 0.0707107, t(0.975, 1) = 12.706205, half width 0.635310: 0.314690 to 1.585310
    attempts = [attempt("a", 1, 0.9), attempt("b", 1, 1.0)]
    view = Effectiveness(scope="X", attempts=attempts, persona_ids=["lan"])
    assert "| 1 | 2 | 95% (31%–100%) |" in view.markdown()
    assert ",0.95,0.3147,1.5853," in view.curves_csv()  # the CSV keeps the interval as computed
