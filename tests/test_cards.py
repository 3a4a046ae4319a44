"""Character Card V2 export/import: exact round trip, sensible card fields, clear errors for plain cards."""

from __future__ import annotations

import json

import pytest

from simulator.cards import (
    EXTENSION_KEY,
    card_to_persona,
    draft_persona,
    persona_to_card,
    read_card,
)
from simulator.datafiles import DataFileError, parse_yaml, validate_data
from simulator.personas import MODES, Persona, load_personas
from simulator.settings import REPO_ROOT

SHIPPED = load_personas(REPO_ROOT / "personas")
PLAIN_CARD = {
    "spec": "chara_card_v2",
    "spec_version": "2.0",
    "data": {
        "name": "Nadia Example",
        "description": "A nurse from a coastal town.",
        "personality": "kind, tired",
        "scenario": "A hospital corridor at night.",
        "first_mes": "Can I help you?",
        "mes_example": (
            "<START>\n{{user}}: Hello\n{{char}}: Hello, are you lost?\n{{char}}: The ward is that way."
        ),
        "extensions": {"depth_prompt": {"prompt": "", "depth": 4}},
    },
}


@pytest.mark.parametrize("persona", list(SHIPPED), ids=SHIPPED.names())
def test_export_then_import_is_equal(persona: Persona):
    card = json.loads(json.dumps(persona_to_card(persona)))
    assert card_to_persona(card) == persona


def test_card_fields_map_from_persona():
    persona = SHIPPED.get("maricel-domestic-worker")
    card = persona_to_card(persona)
    data = card["data"]
    assert (card["spec"], card["spec_version"]) == ("chara_card_v2", "2.0")
    assert data["name"] == persona.name
    assert data["description"] == persona.background
    assert data["scenario"] == persona.opening_scene
    assert data["first_mes"] == persona.first_line
    assert persona.fears[0] in data["personality"]
    assert persona.instructor_summary in data["creator_notes"]
    assert persona.content_note in data["creator_notes"]
    assert data["mes_example"].count("<START>") == len(MODES)
    assert persona.example_lines["guarded"][0] in data["mes_example"]
    assert {"interview-sim", "domestic_servitude", "intermediate"} <= set(data["tags"])
    entries = data["character_book"]["entries"]
    assert [e["name"] for e in entries] == [f.id for f in persona.facts]
    assert entries[0]["keys"] == persona.facts[0].cues
    assert set(data["extensions"][EXTENSION_KEY]) >= {"facts", "ground_truth", "triggers", "example_lines"}


def test_minor_is_tagged():
    assert "minor" in persona_to_card(SHIPPED.get("chloe-boyfriend-exploitation"))["data"]["tags"]


def test_edits_to_direct_card_fields_survive_import():
    card = persona_to_card(SHIPPED.get("lan-nail-salon"))
    card["data"]["first_mes"] = "Hello. I am only helping here."
    assert card_to_persona(card).first_line == "Hello. I am only helping here."


def test_plain_card_error_lists_what_is_missing():
    with pytest.raises(DataFileError) as caught:
        card_to_persona(PLAIN_CARD, "nadia.json")
    message = str(caught.value)
    assert message.startswith("nadia.json: field 'data.extensions.interview_sim': missing")
    for field in ("facts", "ground_truth", "triggers", "example_lines", "age"):
        assert field in message
    assert "--draft" in message


def test_not_a_v2_card_is_rejected():
    with pytest.raises(DataFileError, match="field 'spec': not a Character Card V2"):
        card_to_persona({"name": "Old V1 card", "description": "..."}, "v1.json")


def test_invalid_extension_names_the_field():
    card = persona_to_card(SHIPPED.get("lan-nail-salon"))
    card["data"]["extensions"][EXTENSION_KEY]["age"] = "twenty"
    with pytest.raises(DataFileError, match="field 'age'"):
        card_to_persona(card, "lan.json")


def test_malformed_json_file(tmp_path):
    path = tmp_path / "card.json"
    path.write_text('{"spec": "chara_card_v2",', encoding="utf-8")
    with pytest.raises(DataFileError, match="malformed JSON at line 1"):
        read_card(path)


def test_draft_keeps_card_text_and_fails_validation_until_filled():
    draft = draft_persona(PLAIN_CARD, "nadia.json")
    assert draft.id == "nadia-example"
    data = parse_yaml(draft.yaml)
    assert data["background"] == "A nurse from a coastal town."
    assert data["first_line"] == "Can I help you?"
    assert data["example_lines"]["guarded"] == ["Hello, are you lost?", "The ward is that way."]
    with pytest.raises(DataFileError, match="replace the TODO: placeholders in: age, gender"):
        validate_data(data, Persona, "draft.yaml")
