"""The trainee's sentence on why and the better wording, for the combinations the scorer can decide."""

import pytest

from simulator.feedback import plain_why
from simulator.suggestions import suggest


@pytest.mark.parametrize(("question_type", "tone", "recommended", "flags", "expected"), [
    ("option_posing", "supportive", True, ["offer_of_choice"], "control back"),
    ("option_posing", "neutral", True, [], "keeps them informed"),  # a summary check or process question
    ("option_posing", "neutral", False, [], "one-word answer"),
    ("statement", "supportive", True, [], "feel safe"),
    ("statement", "supportive", False, [], "promise"),  # warm but poor practice
    ("statement", "neutral", False, [], "nothing to answer"),
    ("directive", "neutral", False, [], "unlikely to draw"),
    ("invitation", "harmful", False, [], "cold or judgemental"),
])
def test_the_reason_matches_the_verdict(question_type, tone, recommended, flags, expected):
    assert expected in plain_why(question_type, tone, recommended, flags)


def test_only_a_recommended_focused_question_is_called_good():
    assert suggest("Where did you sleep?", "directive", "neutral", [], True).startswith("Good focused")
    weak = suggest("What's your date of birth?", "directive", "neutral", [], False)
    assert not weak.startswith("Good") and "Tell me more" in weak
