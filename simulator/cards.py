"""SillyTavern Character Card V2 import and export for personas.

Spec: https://github.com/malfoyslastname/character-card-spec-v2 (`"spec": "chara_card_v2"`).
Card fields that map one-to-one onto persona fields (name, description, scenario, first_mes) are read
back on import, so edits made in a card editor survive. Fields that are rendered from several persona
fields (personality, mes_example, creator_notes, the lorebook) are for other card tools only; the
persona fields behind them travel in `data.extensions["interview_sim"]`, which makes
export -> import an exact round trip.

A plain character card has no facts, triggers or ground truth, so it cannot become a persona by
itself: `import_card` says what is missing, and `draft_persona` writes a draft whose TODO
placeholders fail validation until an instructor fills them in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.datafiles import (
    MAX_FILE_BYTES,
    DataFileError,
    dump_yaml,
    format_validation_error,
    validate_data,
)
from simulator.personas import MODES, TODO_MARKER, Persona

SPEC = "chara_card_v2"
SPEC_VERSION = "2.0"
EXTENSION_KEY = "interview_sim"
CREATOR = "interview-sim"

# Persona field -> card data field, for fields that map one-to-one and are read back on import.
DIRECT_FIELDS = {
    "name": "name", "background": "description", "opening_scene": "scenario", "first_line": "first_mes",
}


class CardModel(BaseModel):
    # Other tools add their own keys to cards; keep them rather than reject the card.
    model_config = ConfigDict(extra="allow")


class BookEntry(CardModel):
    keys: list[str]
    content: str
    extensions: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    insertion_order: int = 0
    name: str = ""
    comment: str = ""


class CharacterBook(CardModel):
    name: str = ""
    description: str = ""
    extensions: dict[str, Any] = Field(default_factory=dict)
    entries: list[BookEntry] = Field(default_factory=list)


class CardData(CardModel):
    name: str
    description: str = ""
    personality: str = ""
    scenario: str = ""
    first_mes: str = ""
    mes_example: str = ""
    creator_notes: str = ""
    system_prompt: str = ""
    post_history_instructions: str = ""
    alternate_greetings: list[str] = Field(default_factory=list)
    character_book: CharacterBook | None = None
    tags: list[str] = Field(default_factory=list)
    creator: str = ""
    character_version: str = ""
    extensions: dict[str, Any] = Field(default_factory=dict)


class CharacterCardV2(CardModel):
    spec: Literal["chara_card_v2"]
    spec_version: str = SPEC_VERSION
    data: CardData


# ---------------------------------------------------------------------------------------------- export


def persona_to_card(persona: Persona) -> dict:
    """The persona as a Character Card V2 mapping, ready for `json.dumps`."""
    everything = persona.model_dump(mode="json")
    extension = {key: value for key, value in everything.items() if key not in DIRECT_FIELDS}
    data = CardData(
        name=persona.name,
        description=persona.background,
        personality=_personality(persona),
        scenario=persona.opening_scene,
        first_mes=persona.first_line,
        mes_example=_mes_example(persona),
        creator_notes=f"{persona.instructor_summary}\n\nContent note: {persona.content_note}",
        system_prompt=(
            "You are {{char}}, a person being interviewed by a police officer ({{user}}). Stay in character. "
            "Reveal the facts in the character book only when {{user}} has earned your trust; never describe "
            "exploitation in graphic detail."
        ),
        post_history_instructions="Stay in character as {{char}}; reply briefly, in {{char}}'s voice.",
        character_book=CharacterBook(
            name=f"{persona.name}: facts",
            description="Facts the character may disclose. In interview-sim each is gated by trust and cues.",
            entries=[
                BookEntry(keys=fact.cues, content=fact.disclosure, insertion_order=index, name=fact.id,
                          comment=fact.content)
                for index, fact in enumerate(persona.facts)
            ],
        ),
        tags=_tags(persona),
        creator=CREATOR,
        character_version=str(persona.version),
        extensions={EXTENSION_KEY: extension},
    )
    return CharacterCardV2(spec=SPEC, data=data).model_dump(mode="json")


def card_json(persona: Persona) -> str:
    return json.dumps(persona_to_card(persona), ensure_ascii=False, indent=2) + "\n"


def _personality(persona: Persona) -> str:
    style = persona.speech_style
    lines = [
        f"Speaks {style.language_register}; {style.sentence_length}.",
        f"Fears: {'; '.join(persona.fears)}.",
        f"Believes: {' '.join(persona.protective_beliefs)}",
    ]
    if style.native_words:
        lines.append(f"Uses words such as: {', '.join(style.native_words)}.")
    return "\n".join(lines)


def _mes_example(persona: Persona) -> str:
    blocks = []
    for mode in MODES:
        lines = "\n".join(f"{{{{char}}}}: {line}" for line in persona.example_lines[mode])
        blocks.append(f"<START>\n{{{{user}}}}: ({mode.replace('_', ' ')})\n{lines}")
    return "\n".join(blocks)


def _tags(persona: Persona) -> list[str]:
    tags = [CREATOR, "training", "human-trafficking", persona.exploitation_type, persona.difficulty]
    return tags + (["minor"] if persona.is_minor else [])


# ---------------------------------------------------------------------------------------------- import


def parse_card(data: object, source: Path | str = "<card>") -> CharacterCardV2:
    """Check the Character Card V2 envelope; errors name the source and the card field."""
    if not isinstance(data, dict):
        raise DataFileError(source, f"expected a JSON object, got {type(data).__name__}")
    if data.get("spec") != SPEC:
        raise DataFileError(
            source, f"field 'spec': not a Character Card V2 (expected {SPEC!r}, got {data.get('spec')!r})"
        )
    try:
        return CharacterCardV2.model_validate(data)
    except ValidationError as exc:
        raise DataFileError(source, format_validation_error(exc)) from None


def card_to_persona(data: object, source: Path | str = "<card>") -> Persona:
    """A persona from a card exported by interview-sim (or edited after export)."""
    card = parse_card(data, source)
    extension = card.data.extensions.get(EXTENSION_KEY)
    if not isinstance(extension, dict):
        raise DataFileError(source, _missing_extension_message(card))
    fields = dict(extension)
    fields.update({ours: getattr(card.data, theirs) for ours, theirs in DIRECT_FIELDS.items()})
    return validate_data(fields, Persona, source)


def read_card_json(path: Path | str) -> object:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DataFileError(path, f"file is too large ({size} bytes, limit {MAX_FILE_BYTES})")
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataFileError(path, f"cannot read file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise DataFileError(path, "file is not valid UTF-8 text") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise DataFileError(path, f"malformed JSON at {where}: {exc.msg}") from None


def read_card(path: Path | str) -> Persona:
    return card_to_persona(read_card_json(path), path)


def _missing_extension_message(card: CharacterCardV2) -> str:
    required = [name for name, field in Persona.model_fields.items()
                if name not in DIRECT_FIELDS and field.is_required()]
    return (
        f"field 'data.extensions.{EXTENSION_KEY}': missing. '{card.data.name}' is a plain character card, "
        "not an interview-sim persona: it has no facts, triggers or ground truth. Missing persona fields: "
        f"{', '.join(required)}. Use --draft to write a persona YAML draft with TODO placeholders to fill in."
    )


# ----------------------------------------------------------------------------------------------- draft


class PersonaDraft(NamedTuple):
    id: str
    yaml: str


def draft_persona(data: object, source: Path | str = "<card>") -> PersonaDraft:
    """A persona YAML draft from a plain card; its TODO placeholders fail validation until filled in."""
    card = parse_card(data, source).data
    todo = f"{TODO_MARKER} "
    examples = _example_lines_from(card.mes_example)
    fact = {
        "id": "fact-1", "content": f"{todo}instructor-facing statement",
        "disclosure": f"{todo}in their own words",
        "indicator": f"{todo}one of the INDICATORS", "element": f"{todo}act, means, purpose or none",
        "trust_required": 0.5, "cues": [f"{todo}topics or questions that touch this fact"],
    }
    draft = {
        "id": _slug(card.name),
        "name": card.name,
        "age": f"{todo}age in years",
        "gender": f"{todo}gender",
        "origin": f"{todo}country (region)",
        "languages": [f"{todo}languages"],
        "exploitation_type": f"{todo}labour, sexual, domestic_servitude, criminal or none",
        "setting": f"{todo}one line: where the officer meets them",
        "instructor_summary": f"{todo}case summary for instructors; cite the indicator sources",
        "difficulty": f"{todo}introductory, intermediate or advanced",
        "content_note": f"{todo}content note",
        "background": card.description or f"{todo}background",
        "speech_style": {
            "language_register": f"{todo}register", "sentence_length": f"{todo}sentence length",
            "hesitations": [], "native_words": [], "notes": card.personality,
        },
        "opening_scene": card.scenario or f"{todo}what the officer sees",
        "first_line": card.first_mes or f"{todo}first line",
        "fears": [f"{todo}fears"],
        "triggers": [{"name": f"{todo}trigger", "cues": [f"{todo}cue"], "fear": 0.3, "trust_loss": 0.1}],
        "protective_beliefs": [f"{todo}protective beliefs"],
        "example_lines": {mode: (examples if mode == "guarded" and examples else [f"{todo}{mode} line"])
                          for mode in MODES},
        "initial_trust": 0.2,
        "initial_fear": 0.6,
        "facts": [fact],
        "ground_truth": {
            "is_trafficking": f"{todo}true or false", "type": f"{todo}same as exploitation_type",
            "indicators": [], "explanation": f"{todo}debrief explanation",
        },
    }
    header = (
        f"# Draft persona from the character card '{card.name}'.\n"
        f"# Replace every '{TODO_MARKER}' and add at least 8 facts; "
        "`interview-sim personas validate` fails until you do.\n"
        "# See docs/persona-authoring.md.\n"
    )
    return PersonaDraft(draft["id"], header + dump_yaml(draft))


def _example_lines_from(mes_example: str) -> list[str]:
    lines = [line.split(":", 1)[1].strip() for line in mes_example.splitlines()
             if line.strip().lower().startswith("{{char}}:")]
    return [line for line in lines if line][:4]


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].strip("-")
    return slug or "imported-persona"
