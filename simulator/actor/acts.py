"""What the officer's words do (threaten, offer water, chat about football...), and lines that answer it.

Avatar-based interview training convinces because every answer is about what was asked. When no fact's
topic was touched, the persona answers the officer's act instead, in the stance of its mood, from
simulator/actor/acts.yaml. Acts are recognised by the scorer's flags and by the nearest example, one
sentence at a time, so "Hello, I'm PC Ellis. Would you like some water?" is an offer of care.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.actor.vocabulary import ACTS, STANCES, Stance
from simulator.cues import split_sentences
from simulator.embeddings import Embedder
from simulator.labels import Assessment
from simulator.language import is_english
from simulator.personas import Persona

ACTS_FILE = Path(__file__).with_name("acts.yaml")
# Acts that give way to a question about one of the persona's topics...
SOFT_ACTS = frozenset({"thanks", "feelings", "process", "greeting"})
# ... and, with these, to a later question or invitation that is not itself the act.
YIELDING_ACTS = SOFT_ACTS | {"care", "name", "chitchat"}
FLAG_ACTS: dict[str, str] = {
    "graphic_detail": "graphic", "manipulation": "manipulation", "off_topic": "chitchat", "threat": "threat",
    "blame": "accusation", "disbelief": "accusation", "pressure": "pressure",
    "offer_of_choice": "process", "explains_process": "process", "acknowledges_feelings": "feelings",
}
LEADING_FLAGS = frozenset({"tag_question"})  # with a suggestive question type: "either/or" alone is not
REQUEST = re.compile(r"(please\s+)?(tell|describe|explain|talk|walk)\b", re.IGNORECASE)
LITTLE_ENGLISH = re.compile(r"\b(no|some|basic|little|limited|broken|few words of)\b.*\benglish\b|"
                            r"\benglish\b.*\b(basic|limited|poor|little|none|broken)\b", re.IGNORECASE)
POLITE = re.compile(r"\b(polite|formal|deferential|respectful|courteous)", re.IGNORECASE)
# Acts said in words no example sentence comes close to in a long utterance: talking to the program
# rather than the person, and hurrying or forcing a yes or no.
ACT_WORDS: dict[str, re.Pattern] = {
    "manipulation": re.compile(
        r"\b((your|previous|earlier|all|new) instructions?|ignore (all|your|everything|previous)|"
        r"system prompt|chat ?bot|language model|AI|(helpful|an?) assistant|role-?play|"
        r"(in|out of|drop the|break) character|hidden facts?|debug|system override|"
        r"trust (score|level|threshold)s?)\b", re.IGNORECASE),
    "pressure": re.compile(
        r"\b(yes or no|just say (yes|it)|hurry up|(haven't|have not|not) got all (day|night)|spit it out|"
        r"stop wasting my time|answer the question|last chance)\b", re.IGNORECASE),
}
MIN_SIMILARITY = 0.6  # nearest example's cosine similarity for a sentence to count as the act


class ActLines(BaseModel):
    model_config = ConfigDict(extra="forbid")

    examples: list[str] = Field(default_factory=list)
    lines: dict[Stance, list[str]]
    young: dict[Stance, list[str]] = Field(default_factory=dict)
    plain: dict[Stance, list[str]] = Field(default_factory=dict)
    polite: dict[Stance, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _every_stance(self) -> ActLines:
        missing = set(STANCES.values()) - set(self.lines)
        if missing:
            raise ValueError(f"no lines for stances {', '.join(sorted(missing))}")
        return self

    def for_persona(self, stance: Stance, persona: Persona) -> list[str]:
        """The stance's lines in the persona's register (the first of `registers` the act has lines
        for, else the adult lines); `{name}` is the first name."""
        for variant in registers(persona):
            lines = getattr(self, variant).get(stance)
            if lines:
                break
        else:
            lines = self.lines[stance]
        first_name = persona.name.split()[0]
        return [line.replace("{name}", first_name) for line in lines]


def registers(persona: Persona) -> list[str]:
    """Which variants fit, best first: a minor who speaks English is young; a deferential or formal
    speaker is polite (a threatened Nepali cook begs, she does not say "think what you want"); little
    English is plain. A 17-year-old from Albania is not a Birmingham teenager."""
    found = []
    if persona.age < 18 and not little_english(persona):
        found.append("young")
    if POLITE.search(f"{persona.speech_style.language_register} {persona.speech_style.notes}"):
        found.append("polite")
    if little_english(persona):
        found.append("plain")
    return found


def little_english(persona: Persona) -> bool:
    """ "basic English", "a few words of English", "English (limited)": the plain register fits."""
    return any(LITTLE_ENGLISH.search(language) for language in persona.languages)


@cache
def act_lines() -> dict[str, ActLines]:
    data = yaml.safe_load(ACTS_FILE.read_text(encoding="utf-8"))
    if set(data) != set(ACTS):
        raise ValueError(f"{ACTS_FILE}: acts must be exactly {', '.join(ACTS)}; got {', '.join(data)}")
    return {act: ActLines.model_validate(value) for act, value in data.items()}


class ActReader:
    """Recognises acts with one embedding call per utterance, against examples embedded once."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self.labels = [act for act, spec in act_lines().items() for _ in spec.examples]
        examples = [example for spec in act_lines().values() for example in spec.examples]
        self.vectors = embedder.embed(examples)

    def by_sentence(self, text: str, assessment: Assessment) -> list[set[str]]:
        """The acts of each sentence: the scorer's flags for it and its nearest example; a suggestive
        question makes the whole utterance leading."""
        sentences = split_sentences(text) or [text]
        if not is_english(text):  # words the persona cannot follow: what they do is ask, not answer
            return [{"foreign"} for _ in sentences]
        labelled = [label.flags for label in assessment.sentences]
        flags = labelled if len(labelled) == len(sentences) else [assessment.flags] * len(sentences)
        leading = "?" in text and (assessment.question_type == "suggestive"
                                   or bool(LEADING_FLAGS & set(assessment.flags)))  # a summary is not
        similarity = self.embedder.embed(sentences) @ self.vectors.T
        found = []
        for sentence, sentence_flags, row in zip(sentences, flags, similarity, strict=True):
            acts = {FLAG_ACTS[flag] for flag in sentence_flags if flag in FLAG_ACTS}
            best = int(np.argmax(row))
            if row[best] >= MIN_SIMILARITY:
                acts.add(self.labels[best])
            acts |= {act for act, words in ACT_WORDS.items() if words.search(sentence)}
            found.append(acts | ({"leading"} if leading else set()))
        return found


@lru_cache(maxsize=8)
def reader_for(embedder: Embedder) -> ActReader:
    """One reader per embedder: the examples are embedded once per process, not once per interview."""
    return ActReader(embedder)


def main_act(by_sentence: list[set[str]], text: str, topic_touched: bool) -> str | None:
    """The act to answer. A friendly act (thanks, an offer of water...) is not answered when the officer
    went on to ask something else ("Thank you. What happened next?"), and a soft one not when the officer
    asked about one of the persona's topics; hostility is always answered."""
    last = split_sentences(text)[-1:] or [text]
    asked_more = is_request(last[0]) and not by_sentence[-1] & YIELDING_ACTS
    for act in ACTS:
        if not any(act in found for found in by_sentence):
            continue
        if act in YIELDING_ACTS and asked_more or act in SOFT_ACTS and topic_touched and "?" in text:
            continue
        return act
    return None


def is_request(sentence: str) -> bool:
    """A question, or an invitation to tell ("Tell me about...", "Describe...")."""
    return sentence.rstrip().endswith("?") or bool(REQUEST.match(sentence.strip()))


_SUBJECT = {"he", "she", "you"}  # "they" is other people
_OBJECT = {"him": "me", "his": "my", "her": "my", "your": "my", "himself": "myself", "herself": "myself",
           "yourself": "myself"}
# "you" after these is the subject ("where do you sleep"); elsewhere the object ("who hurt you").
_BEFORE_SUBJECT = {"do", "did", "does", "are", "were", "can", "could", "will", "would", "have", "has",
                   "should", "what", "where", "whether", "how", "who", "why", "when", "if", "that"}
_AGREEMENT = {"I is": "I am", "I are": "I am", "are I": "am I", "is I": "am I", "does I": "do I",
              "I has": "I have", "I does": "I do", "I were": "I was",
              "I goes": "I go"}
_NOT_VERBS = r"(?!was\b|always\b|sometimes\b|also\b|just\b)"


def first_person(topic: str) -> str:
    """ "where she lives" -> "where I live": a topic label as the persona would say it."""
    words: list[str] = []
    for word in topic.split():
        lower = word.lower()
        if lower in _SUBJECT:
            subject = not words or words[-1].lower() in _BEFORE_SUBJECT or lower != "you"
            words.append("I" if subject else "me")
        else:
            words.append(_OBJECT.get(lower, word))
    text = " ".join(words)
    for wrong, right in _AGREEMENT.items():
        text = re.sub(rf"\b{wrong}\b", right, text)
    return re.sub(rf"\bI {_NOT_VERBS}(\w*[^s\W])s\b", r"I \1", text)
