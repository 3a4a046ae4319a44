"""The scorer's fixed label vocabulary and the per-utterance Assessment shared by CLI, engine and UI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

QuestionType = Literal["invitation", "directive", "option_posing", "suggestive", "statement"]
Tone = Literal["supportive", "neutral", "harmful"]

QUESTION_TYPES: tuple[str, ...] = ("invitation", "directive", "option_posing", "suggestive", "statement")
TONES: tuple[str, ...] = ("supportive", "neutral", "harmful")

FLAGS: dict[str, str] = {
    "leading": "brings in information the person never gave or presumes an answer",
    "tag_question": "ends with a tag such as 'didn't he?' or 'right?'",
    "either_or": "offers a forced choice between options",
    "yes_no": "can be answered with yes or no",
    "multiple_questions": "asks several questions at once",
    "blame": "suggests the person is at fault",
    "threat": "threatens arrest, deportation or other consequences",
    "disbelief": "doubts or dismisses what the person says",
    "pressure": "pushes, hurries or demands",
    "jargon": "uses legal or police jargon the person may not understand",
    "offer_of_choice": "offers choice, control or a break",
    "explains_process": "explains who the officer is or what will happen",
    "acknowledges_feelings": "acknowledges or normalises feelings",
    "too_long": "long, complex utterance",
    "graphic_detail": "asks for graphic or sexual detail",
    "off_topic": "small talk that does not move the account on",
    "manipulation": "talks to the simulator instead of the person",
    "summary_check": "checks a summary of what the person said",
}


class SentenceLabel(BaseModel):
    text: str
    question_type: QuestionType
    tone: Tone
    flags: list[str] = Field(default_factory=list)
    nearest: list[str] = Field(default_factory=list)  # nearest exemplars, for traceability


class Assessment(BaseModel):
    """The scorer's verdict on one officer utterance (`interview-sim score --json` prints this)."""

    text: str
    question_type: QuestionType
    tone: Tone
    recommended: bool
    criteria: dict[str, float] = Field(default_factory=dict)
    flags: list[str] = Field(default_factory=list)
    explanation: str = ""  # one plain sentence for the trainee
    suggestion: str = ""  # one better wording
    evidence: str = ""  # cues, probabilities and nearest exemplars: the assessor's view and the JSON
    probabilities: dict[str, float] = Field(default_factory=dict)  # the learned head's, when there is one
    sentences: list[SentenceLabel] = Field(default_factory=list)

    def public_dict(self) -> dict:
        """The documented JSON shape, without the per-sentence detail."""
        return self.model_dump(exclude={"sentences"})
