"""The trainee's sentence on why and the better wording, for the combinations the scorer can decide."""

import pytest

from simulator.feedback import plain_why, sends_off
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


@pytest.mark.parametrize("text", [
    "Lovely, thanks, that's plenty. Off you go with the lady.",
    "Thank you, we're done here. Next one, please.",
])
def test_sending_the_person_off_gets_a_kind_close(text):
    assert "what happens next" in plain_why("statement", "harmful", False, ["pressure"], text=text)
    assert "anything you want to ask me" in suggest(text.split(". ")[-1], "statement", "harmful",
                                                     ["pressure"], False, text)


@pytest.mark.parametrize("text", [
    "Thanks, that's enough of the background. Dates, please.",
    "OK, that's plenty about your mum. Dates, please.",
])
def test_rushing_mid_account_still_gets_time_to_answer(text):
    assert "Hurrying" in plain_why("statement", "harmful", False, ["pressure"], text=text)
    better = suggest("Dates, please.", "statement", "harmful", ["pressure"], False, text)
    assert better.startswith("Take your time")


@pytest.mark.parametrize("text", [
    "We're done for today. Is there anything you want to ask me?",
    "I think that's enough for today. Thank you for telling me all this.",
    "Once we're done, a support worker will explain your options.",
])
def test_a_kind_close_is_not_sending_off(text):
    assert not sends_off(text, ["pressure"])


def test_talking_about_the_person_to_someone_else():
    text = "(to the social worker) She's been coached, you can tell."
    assert "as if they weren't in the room" in plain_why("statement", "harmful", False, [], text=text)
    assert suggest("She's been coached, you can tell.", "statement", "harmful", [], False,
                   text).startswith("Speak to them")
    kind = "(to the interpreter) Please tell her she can stop whenever she likes."
    assert "room" not in plain_why("statement", "supportive", True, ["offer_of_choice"], text=kind)
