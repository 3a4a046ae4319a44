"""Persona files: typed, validated victim (or look-alike) personas for the interview simulator.

Instructor-facing fields (summary, ground truth, facts) never reach the trainee before the
session ends; the engine decides which facts the model may see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from simulator.actor.vocabulary import Act, Stance
from simulator.datafiles import StrictModel, check_id, load_model
from simulator.registry import Registry
from simulator.temperament import Temperament, default_temperament
from simulator.topic_words import check_keyword

MODES: tuple[str, ...] = (
    "guarded", "testing", "deflecting", "minimising", "distressed", "shut_down",
    "partial_disclosure", "open_disclosure",
)
Mode = Literal[
    "guarded", "testing", "deflecting", "minimising", "distressed", "shut_down",
    "partial_disclosure", "open_disclosure",
]

# Indicator vocabulary, drawn from UNODC, Blue Campaign, Polaris and UK NRM indicator lists.
INDICATORS: dict[str, str] = {
    "deceptive_recruitment": "recruited with false promises about the job, pay or conditions",
    "document_confiscation": "identity or travel documents held by someone else",
    "debt_bondage": "an inflated or unpayable debt used to control the person",
    "wages_withheld": "pay withheld, deducted or never received",
    "excessive_hours": "very long hours, no days off",
    "restricted_movement": "not free to leave or to go out alone",
    "isolation": "kept from family, friends, language or community",
    "controlled_communication": "phone taken or calls monitored",
    "threats_to_person": "threats against the person",
    "threats_to_family": "threats against family at home",
    "violence": "physical violence or its threat",
    "poor_living_conditions": "housed at the workplace or in crowded, unsafe housing",
    "fear_of_authorities": "told police or immigration will arrest or deport them",
    "dependency": "depends on the exploiter for housing, food, transport or status",
    "emotional_manipulation": "a 'boyfriend' or benefactor uses affection to control",
    "forced_criminality": "made to commit crimes (cultivation, theft, drug running)",
    "commercial_sexual_exploitation": "made to sell sex or hand over its earnings",
    "minor": "under 18: no means element is needed for child trafficking",
    "scripted_story": "repeats a story they were told to tell",
    "freedom_to_leave": "free to leave and to choose work (points away from trafficking)",
    "consensual_smuggling": "paid to be moved across a border, relationship ends on arrival",
    # Further counter-indicators, for look-alike personas who are not trafficked.
    "keeps_documents": "holds their own identity and travel documents (points away from trafficking)",
    "paid_directly": "receives their own wages and decides how to spend them (points away)",
    "own_housing": "chooses, pays for and can leave their own housing (points away)",
    "fair_debt": "owes money on terms they agreed, with no threats or control (points away)",
    "labour_rights_breach": "low pay or poor conditions that break employment law, without coercion",
}
ELEMENTS = ("act", "means", "purpose", "none")
# Drafts (e.g. from a plain character card) mark unfinished fields with this; such files never validate.
TODO_MARKER = "TODO:"


def _check_indicator(value: str) -> str:
    if value not in INDICATORS:
        raise ValueError(f"unknown indicator {value!r}; known: {', '.join(INDICATORS)}")
    return value


class SpeechStyle(StrictModel):
    language_register: str  # e.g. "informal, polite to strangers"
    sentence_length: str
    hesitations: list[str] = Field(default_factory=list)
    native_words: list[str] = Field(default_factory=list)
    notes: str = ""


class Trigger(StrictModel):
    """Something the officer may say or do that raises fear (uniforms, deportation, blame...)."""

    name: str
    cues: list[str] = Field(min_length=1)  # words/phrases; matched case-insensitively and by embedding
    fear: float = Field(ge=0.0, le=1.0)  # how strongly it raises fear
    trust_loss: float = Field(default=0.0, ge=0.0, le=1.0)


class Fact(StrictModel):
    id: str
    content: str  # instructor-facing statement of the fact
    disclosure: str  # how the persona would say it, in their own words
    indicator: str
    element: Literal["act", "means", "purpose", "none"]
    trust_required: float = Field(ge=0.0, le=1.0)
    cues: list[str] = Field(min_length=1)  # topics or officer lines that touch this fact
    # Officer lines that share words with the topic but are not about it ("Where did your family live
    # back home?" for the persona's own housing): an utterance closer to one of these than to every cue
    # does not touch the fact.
    near_misses: list[str] = Field(default_factory=list)
    # Words that put an utterance on this topic ("passport*", "family + safe"); see simulator/touching.py.
    keywords: list[str] = Field(default_factory=list)
    # Facts that must have been told first: a story keeps its order, and nobody is referred to ("he says
    # I owe him") before the fact that introduces them.
    after: list[str] = Field(default_factory=list)
    # What the voice may name while the fact is locked ("her passport"): a topic, never the content.
    topic: str | None = None
    # Lines for when the officer touches this topic before trust allows the fact: evasions in the
    # persona's voice that say nothing of the fact ("Papers? Why do you ask me about papers?").
    evasions: list[str] = Field(default_factory=list)

    _id = field_validator("id")(lambda v: check_id(v, "fact id"))
    _indicator = field_validator("indicator")(_check_indicator)
    _keywords = field_validator("keywords")(lambda values: [check_keyword(v) for v in values])


class GroundTruth(StrictModel):
    is_trafficking: bool
    type: Literal["labour", "sexual", "domestic_servitude", "criminal", "none"]
    indicators: list[str]
    explanation: str

    @field_validator("indicators")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        return [_check_indicator(v) for v in values]


class Persona(StrictModel):
    # identity
    id: str
    name: str
    age: int = Field(ge=10, le=100)
    gender: str
    origin: str
    languages: list[str] = Field(min_length=1)
    # instructor-facing
    exploitation_type: Literal["labour", "sexual", "domestic_servitude", "criminal", "none"]
    setting: str  # one line for the persona card: where the officer meets them
    instructor_summary: str
    difficulty: Literal["introductory", "intermediate", "advanced"]
    content_note: str
    # model-facing
    background: str
    speech_style: SpeechStyle
    opening_scene: str
    first_line: str
    fears: list[str] = Field(min_length=1)
    triggers: list[Trigger] = Field(min_length=1)
    protective_beliefs: list[str] = Field(min_length=1)
    example_lines: dict[Mode, list[str]]
    # The persona's own answers to what an officer does (a threat, an offer of water...), by act and by
    # the stance of the mood; spoken before the generic ones in simulator/actor/acts.yaml.
    responses: dict[Act, dict[Stance, list[str]]] = Field(default_factory=dict)
    initial_trust: float = Field(ge=0.0, le=1.0)
    initial_fear: float = Field(ge=0.0, le=1.0)
    temperament: Temperament = Field(default_factory=Temperament)  # unset values: defaults by age/situation
    facts: list[Fact] = Field(min_length=8)
    ground_truth: GroundTruth
    version: int = 1

    _id = field_validator("id")(lambda v: check_id(v, "persona id"))

    @model_validator(mode="before")
    @classmethod
    def _no_placeholders(cls, data: object) -> object:
        left = _placeholder_paths(data)
        if left:
            raise ValueError(f"replace the {TODO_MARKER} placeholders in: {', '.join(left)}")
        return data

    @model_validator(mode="before")
    @classmethod
    def _temperament_defaults(cls, data: object) -> object:
        authored = data.get("temperament") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(authored or {}, dict):
            return data  # the field validation reports what is wrong
        authored = authored or {}
        return {**data, "temperament": {**default_temperament(data.get("age"), data.get("exploitation_type")),
                                        **authored}}

    @model_validator(mode="after")
    def _consistent(self) -> Persona:
        ids = [f.id for f in self.facts]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate fact ids: {', '.join(dupes)}")
        _check_order(self.facts)
        missing = [m for m in MODES if not self.example_lines.get(m)]
        if missing:
            raise ValueError(f"example_lines needs a line for each mode; missing: {', '.join(missing)}")
        return self

    @property
    def is_minor(self) -> bool:
        return self.age < 18

    def fact(self, fact_id: str) -> Fact:
        for fact in self.facts:
            if fact.id == fact_id:
                return fact
        raise KeyError(f"persona '{self.id}' has no fact '{fact_id}'")

    def card(self) -> dict:
        """What a trainee may see before and during the session (no facts, no ground truth)."""
        return {
            "id": self.id, "name": self.name, "age": self.age, "gender": self.gender,
            "origin": self.origin, "languages": self.languages, "setting": self.setting,
            "difficulty": self.difficulty, "content_note": self.content_note,
            "opening_scene": self.opening_scene,
        }


def _check_order(facts: list[Fact]) -> None:
    """Every `after` names another fact of the persona, and no chain of them comes back to its start."""
    requires = {fact.id: fact.after for fact in facts}
    for fact in facts:
        unknown = [i for i in fact.after if i not in requires or i == fact.id]
        if unknown:
            raise ValueError(f"fact '{fact.id}': 'after' names {', '.join(unknown)}, not another fact")
    state: dict[str, str] = {}

    def visit(fact_id: str, path: tuple[str, ...]) -> None:
        if state.get(fact_id) == "done":
            return
        if fact_id in path:
            raise ValueError(f"facts wait for each other in a circle: {' -> '.join([*path, fact_id])}")
        for earlier in requires[fact_id]:
            visit(earlier, (*path, fact_id))
        state[fact_id] = "done"

    for fact_id in requires:
        visit(fact_id, ())


def _placeholder_paths(value: object, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "(top level)"] if value.lstrip().startswith(TODO_MARKER) else []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    return [found for key, item in items for found in _placeholder_paths(item, f"{path}.{key}".lstrip("."))]


def load_persona(path: Path | str) -> Persona:
    return load_model(path, Persona)


def load_personas(folder: Path | str) -> Registry[Persona]:
    return Registry.from_folder("persona", Path(folder), load_persona, lambda p: p.id)
