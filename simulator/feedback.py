"""The trainee's one sentence on why: plain words an officer uses, no labels, cue names or probabilities
(those are in the assessment's evidence, for assessors and the JSON)."""

from __future__ import annotations

from simulator.cues import SENDING_OFF, normalise, phrases
from simulator.statement_forms import said_to_someone_else

_SENDING_OFF = phrases(*SENDING_OFF)
CLOSING_WHY = ("Ending as soon as you have what you need tells them only your form mattered; thank them, "
               "explain what happens next and ask what they want to ask.")
ASIDE_WHY = ("Talking about them to someone else as if they weren't in the room shames them and shuts "
             "them down.")

# The first matching flag explains a weak utterance; order = what matters most to the person interviewed.
_WHY_FLAG: tuple[tuple[str, str], ...] = (
    ("manipulation", "That talks to the computer, not to the person; stay in the interview."),
    ("threat", "Talk of arrest, prison or being sent home sounds like a threat, and a frightened person "
               "stops talking."),
    ("blame", "It sounds as if you blame them for what happened to them."),
    ("disbelief", "It tells them you don't believe them, so they are less likely to tell you more."),
    ("pressure", "Hurrying them or demanding a yes or no gets short answers that may not be true."),
    ("off_topic", "Small talk like this doesn't move their account on; keep rapport about them and why "
                  "you are here."),
    ("leading", "It puts words in their mouth, so the answer may not hold up."),
    ("tag_question", "It puts words in their mouth, so the answer may not hold up."),
    ("either_or", "Offering only two choices can make them pick one that isn't quite true."),
    ("multiple_questions", "Several questions at once are confusing; they will answer only one."),
    ("jargon", "Police and legal words may not be understood; use everyday words."),
)
_WHY_TYPE = {
    "invitation": "An open invitation lets them tell it in their own words.",
    "directive": "A focused question gets a detail; follow it with an open invitation.",
    "option_posing": "A yes-or-no question gets a one-word answer and can steer it.",
    "suggestive": "It suggests the answer you expect, so the answer may not hold up.",
    "statement": "This doesn't ask anything, so it gives them nothing to answer.",
}


def sends_off(text: str, flags: list[str]) -> bool:
    """The person is sent off once the officer has what they wanted ("Lovely, that's plenty. Off you go.")."""
    if "pressure" not in flags:
        return False
    return bool(_SENDING_OFF.search(normalise(text)))


def plain_why(question_type: str, tone: str, recommended: bool, flags: list[str], minor: bool = False,
              text: str = "") -> str:
    """One sentence on why the utterance is or is not recommended (`text`: the whole utterance)."""
    if "graphic_detail" in flags:
        who = "a child" if minor else "them"
        return (f"Asking for graphic or sexual detail can re-traumatise {who}; leave that to a specialist "
                "forensic interview.")
    if not recommended and sends_off(text, flags):
        return CLOSING_WHY
    if tone == "harmful" and said_to_someone_else(text):
        return ASIDE_WHY
    for flag, why in _WHY_FLAG:
        if flag in flags and (not recommended or flag in ("manipulation", "off_topic")):
            return why
    if tone == "harmful":
        return "The way this is put can sound cold or judgemental, even without a harsh word."
    if recommended and question_type == "statement":
        return "Explaining, reassuring or offering a choice helps them feel safe enough to talk."
    if recommended and question_type == "option_posing":
        if "offer_of_choice" in flags:
            return "Offering a choice gives them some control back."
        return ("A yes-or-no question about how the interview goes, or to check you understood, keeps "
                "them informed.")
    if not recommended and question_type == "statement" and tone == "supportive":
        return "Warm words help, but a promise or reassurance you cannot back up can cost their trust later."
    if not recommended and question_type in ("invitation", "directive"):
        return "This wording is unlikely to draw a free, accurate account from them."
    return _WHY_TYPE[question_type]
