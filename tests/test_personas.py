"""Shipped personas: schema, authoring rules and content safety; schema errors name file and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from simulator.datafiles import DataFileError
from simulator.personas import INDICATORS, MODES, Persona, load_persona, load_personas
from simulator.settings import REPO_ROOT

PERSONAS_DIR = REPO_ROOT / "personas"
SHIPPED = load_personas(PERSONAS_DIR)

# Explicit sexual or graphic wording that never belongs in a training persona.
EXPLICIT_WORDS = [
    "rape", "raped", "naked", "nude", "porn", "pornography", "genital", "genitals", "intercourse", "orgasm",
    "erotic", "blowjob", "fuck", "fucked", "whore", "slut", "blood", "bleeding", "gore", "mutilated",
    "stabbed", "tortured", "corpse", "strangled",
]
# For children, even everyday words that could carry sexual detail are out: indicator level only.
MINOR_EXTRA_WORDS = [
    "sex", "sexy", "sexually", "bed", "bedroom", "undress", "undressed", "kiss", "kissed", "touch", "touched",
    "body", "punter", "punters", "client", "clients", "condom", "condoms", "lingerie", "photos", "pictures",
]


def strings_in(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def free_text(persona: Persona) -> str:
    """Every sentence an author wrote, without vocabulary ids such as 'commercial_sexual_exploitation'."""
    data = persona.model_dump(mode="json", exclude={"exploitation_type"})
    for fact in data["facts"]:
        del fact["indicator"]
    data["ground_truth"] = {"explanation": data["ground_truth"]["explanation"]}
    return "\n".join(strings_in(data))


def banned_in(text: str, words: list[str]) -> list[str]:
    return sorted({w for w in words if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)})


def test_every_shipped_persona_validates():
    assert SHIPPED.errors == {}
    assert len(SHIPPED) >= 6


def test_shipped_set_covers_required_cases():
    types = {p.exploitation_type for p in SHIPPED}
    assert {"labour", "sexual", "domestic_servitude", "criminal", "none"} <= types
    assert any(p.is_minor and p.exploitation_type == "sexual" for p in SHIPPED)
    assert any(p.is_minor and p.exploitation_type == "criminal" for p in SHIPPED)
    assert {p.difficulty for p in SHIPPED} == {"introductory", "intermediate", "advanced"}
    assert len({p.gender for p in SHIPPED}) >= 2
    assert len({p.origin.split(" (")[0] for p in SHIPPED}) >= 5


@pytest.mark.parametrize("persona", list(SHIPPED), ids=SHIPPED.names())
def test_persona_follows_authoring_rules(persona: Persona):
    assert len(persona.facts) >= 8
    for mode in MODES:
        assert 2 <= len(persona.example_lines[mode]) <= 4, mode
    levels = [fact.trust_required for fact in persona.facts]
    assert min(levels) <= 0.35 and max(levels) >= 0.7 - 0.05 * (not persona.ground_truth.is_trafficking)
    for fact in persona.facts:
        assert 3 <= len(fact.cues) <= 14, fact.id
    assert 0.1 <= persona.initial_trust <= 0.3
    assert 0.5 <= persona.initial_fear <= 0.8
    assert "UNODC" in persona.instructor_summary


@pytest.mark.parametrize("persona", list(SHIPPED), ids=SHIPPED.names())
def test_ground_truth_matches_facts(persona: Persona):
    truth = persona.ground_truth
    assert truth.type == persona.exploitation_type
    assert truth.is_trafficking == (truth.type != "none")
    pointing_to_trafficking = {fact.indicator for fact in persona.facts if fact.element != "none"}
    assert pointing_to_trafficking <= set(truth.indicators) | {"minor"}
    if truth.is_trafficking:
        assert {"act", "purpose"} <= {fact.element for fact in persona.facts}
    else:
        assert {fact.element for fact in persona.facts} == {"none"}
        assert {"consensual_smuggling", "freedom_to_leave"} <= set(truth.indicators)


@pytest.mark.parametrize("persona", list(SHIPPED), ids=SHIPPED.names())
def test_example_lines_never_leak_locked_numbers(persona: Persona):
    """Example lines are the guard's fallback, so they must not carry a locked fact's figures."""
    lines = " ".join(line for mode_lines in persona.example_lines.values() for line in mode_lines)
    numbers_in_lines = set(re.findall(r"\d+", lines))
    for fact in persona.facts:
        if fact.trust_required > persona.initial_trust:
            assert not numbers_in_lines & set(re.findall(r"\d+", fact.disclosure)), fact.id


@pytest.mark.parametrize("persona", list(SHIPPED), ids=SHIPPED.names())
def test_no_explicit_or_graphic_words(persona: Persona):
    assert banned_in(free_text(persona), EXPLICIT_WORDS) == []


@pytest.mark.parametrize("persona", [p for p in SHIPPED if p.is_minor], ids=lambda p: p.id)
def test_minors_have_no_sexual_detail_wording(persona: Persona):
    assert banned_in(free_text(persona), MINOR_EXTRA_WORDS) == []


def test_safety_scan_catches_a_banned_word():
    persona = SHIPPED.get("chloe-boyfriend-exploitation")
    tainted = persona.model_copy(update={"background": persona.background + " She was naked."})
    assert banned_in(free_text(tainted), EXPLICIT_WORDS) == ["naked"]


# --- errors name the file and the field -------------------------------------------------------------


def write_variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((PERSONAS_DIR / "stoyan-farm-worker.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def load_error(tmp_path: Path, change) -> str:
    path = write_variant(tmp_path, change)
    with pytest.raises(DataFileError) as caught:
        load_persona(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_unknown_key_is_named(tmp_path):
    message = load_error(tmp_path, lambda d: d.update(nickname="Stoyo"))
    assert "field 'nickname': unknown key" in message


def test_missing_key_is_named(tmp_path):
    message = load_error(tmp_path, lambda d: d.pop("ground_truth"))
    assert "field 'ground_truth': missing" in message


def test_wrong_type_is_named(tmp_path):
    message = load_error(tmp_path, lambda d: d.update(age="forty-four"))
    assert "field 'age'" in message


def test_duplicate_fact_id_is_named(tmp_path):
    message = load_error(tmp_path, lambda d: d["facts"][1].update(id=d["facts"][0]["id"]))
    assert "duplicate fact ids: farm-work" in message


def test_unknown_indicator_is_named(tmp_path):
    message = load_error(tmp_path, lambda d: d["facts"][0].update(indicator="bad_vibes"))
    assert "field 'facts.0.indicator'" in message and "unknown indicator 'bad_vibes'" in message


def test_missing_mode_is_named(tmp_path):
    message = load_error(tmp_path, lambda d: d["example_lines"].pop("testing"))
    assert "missing: testing" in message


def test_todo_placeholder_is_named(tmp_path):
    message = load_error(tmp_path, lambda d: d["facts"][2].update(disclosure="TODO: in their words"))
    assert "facts.2.disclosure" in message


def test_bad_file_does_not_hide_good_ones(tmp_path):
    (tmp_path / "good.yaml").write_text((PERSONAS_DIR / "lan-nail-salon.yaml").read_text(encoding="utf-8"))
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    registry = load_personas(tmp_path)
    assert registry.names() == ["lan-nail-salon"]
    assert "malformed YAML" in registry.errors[str(tmp_path / "broken.yaml")]


def test_indicator_vocabulary_has_descriptions():
    assert all(isinstance(text, str) and text for text in INDICATORS.values())


def test_fact_order_names_real_facts_without_circles(tmp_path):
    assert "'after' names nobody-here" in load_error(
        tmp_path, lambda d: d["facts"][0].update(after=["nobody-here"]))

    def circle(data):
        data["facts"][0]["after"] = [data["facts"][1]["id"]]
        data["facts"][1]["after"] = [data["facts"][0]["id"]]

    assert "in a circle: farm-work -> caravan-housing -> farm-work" in load_error(tmp_path, circle)


def test_temperament_defaults_come_from_age_and_situation(tmp_path):
    def adult(data):
        data.pop("temperament", None)

    def child_look_alike(data):
        data.update(age=16, exploitation_type="none")
        data["ground_truth"]["type"] = "none"
        data["temperament"] = {"volatility": 0.1}

    assert load_persona(write_variant(tmp_path, adult)).temperament.suggestibility == 0.4
    persona = load_persona(write_variant(tmp_path, child_look_alike))
    # a look-alike is resilient (0.75); a minor is suggestible (0.65) and less resilient (0.35); authored wins
    assert (persona.temperament.resilience, persona.temperament.suggestibility,
            persona.temperament.volatility) == (0.35, 0.65, 0.1)
    assert "temperament.calmness" in load_error(tmp_path, lambda d: d.update(temperament={"calmness": 1}))
