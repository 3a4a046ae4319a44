from simulator.labels import Assessment
from simulator.reports import session_report, weighted_mean


def _turn(text, question_type="directive", tone="neutral", recommended=True, score=0.5, suggestion=""):
    return Assessment(text=text, question_type=question_type, tone=tone, recommended=recommended,
                      criteria={"open_questioning": score, "clarity": 1.0}, suggestion=suggestion)


def test_report_by_hand():
    turns = [
        _turn("Did he hit you?", "option_posing", recommended=False, score=0.1,
              suggestion="Tell me about him."),
        _turn("Why didn't you leave?", tone="harmful", recommended=False, score=0.3, suggestion="s2"),
        _turn("Tell me about the farm.", "invitation", score=0.9),
        _turn("Where was it?", score=0.7),
    ]
    report = session_report(turns)
    assert report.turns == 4 and report.recommended_share == 0.5
    assert report.criterion_averages == {"open_questioning": 0.5, "clarity": 1.0}
    assert report.overall_score is None
    assert session_report(turns, {"open_questioning": 3.0, "clarity": 1.0}).overall_score == 0.625
    assert report.type_counts == {"invitation": 1, "directive": 2, "option_posing": 1, "suggestive": 0,
                                  "statement": 0}
    assert report.tone_counts == {"supportive": 0, "neutral": 3, "harmful": 1}
    assert (report.first_invitation, report.first_invitation_text) == (2, "Tell me about the farm.")
    assert [w.turn for w in report.worst] == [1, 0]  # harmful before merely closed
    assert report.worst[1].suggestion == "Tell me about him."
    assert (report.trend.first_half_recommended, report.trend.second_half_recommended) == (0.0, 1.0)
    assert report.trend.rolling_recommended == [0.0, 0.0, 0.333, 0.5]


def test_weighted_mean_by_hand():
    assert weighted_mean({"a": 1.0, "b": 0.0}, {"a": 3.0, "b": 1.0}) == 0.75
    assert weighted_mean({"a": 1.0, "c": 0.0}, {"a": 1.0}) == 1.0  # unweighted scores are left out
    assert weighted_mean({"a": 1.0}, {}) is None


def test_empty_session():
    report = session_report([])
    assert report.turns == 0 and report.recommended_share == 0.0 and report.first_invitation is None
    assert report.trend.first_half_recommended is None and report.worst == []
