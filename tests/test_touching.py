"""Touching a fact's topic: keyword semantics, offers, sentences, and precision/recall with MiniLM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.engine_fakes import small_persona

from simulator.embeddings import HashingEmbedder
from simulator.personas import load_personas
from simulator.settings import Settings
from simulator.touching import TopicIndex, TouchParams, is_offer, keyword_pattern

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "tests" / "touching" / "dev.jsonl"
# The dev set and the first two held-out sets by separate authors (their figures from before any change
# they prompted are in bench/RESULTS.md). The thresholds were tuned on them and the learned touch model
# (simulator/touch_model.py) trained on them, so here they are a regression check, not a held-out
# measurement. tests/touching/train.jsonl is not among them: its lines are the shipped personas' cues and
# near misses. Later held-out sets are reported in bench/RESULTS.md, not tested.
TUNING_SETS = [DEV_SET, ROOT / "bench" / "heldout" / "touching" / "touching.jsonl",
               ROOT / "bench" / "heldout" / "touching2" / "touching.jsonl"]


@pytest.mark.parametrize("keyword, text, found", [
    ("passport*", "where are the passports kept", True),
    ("threat*", "has anyone threatened you", True),
    ("id", "do you have your id with you", True),
    ("id", "that is a good idea", False),  # whole words unless a * says otherwise
    ("card", "your bank cards", True),  # plural
    ("family + safe", "is your family safe at home", True),
    ("family + safe", "are you safe here", False),
    ("told to say", "what have you been told to say", True),
    ("told to say", "say what you were told", False),  # a phrase keeps its order
    ("son|wife + safe|hurt*", "could your wife get hurt", True),  # either word
    ("son|wife + safe|hurt*", "is your son at school", False),
    ("pay* back|pay* off", "how much is left to pay off", True),  # alternatives are whole phrases
])
def test_keyword_patterns(keyword, text, found):
    assert bool(keyword_pattern(keyword).search(text)) is found


def test_offers_touch_nothing_unless_they_ask_for_an_account():
    assert is_offer("Can I call someone for you?") and is_offer("Do you want to charge your phone?")
    assert is_offer("We can pay for a taxi for you.") and is_offer("Is there anyone you'd like us to call?")
    assert is_offer("Would you like us to contact your family to tell them you're safe?")
    assert not is_offer("Would you like to tell me about your phone?")
    assert not is_offer("Who has your phone?") and not is_offer("I will need to ask about your passport.")


def test_keyword_families_expand_and_unknown_ones_are_named():
    from simulator.topic_words import expand, families

    assert expand(["@phone", "passcode"]) == [*families()["phone"], "passcode"]
    fact = small_persona().facts[0]
    with pytest.raises(ValueError, match="unknown keyword family '@phones'"):
        fact.model_validate({**fact.model_dump(), "keywords": ["@phones"]})


def index(similarity=0.0, strong=1.0):
    return TopicIndex(small_persona().facts, HashingEmbedder(), TouchParams(similarity=similarity,
                                                                           strong_similarity=strong))


def touched(topics, text):
    facts = small_persona().facts
    return [fact.id for fact, score in zip(facts, topics.scores(text), strict=True) if score > 0]


def test_a_keyword_needs_the_meaning_to_agree():
    loose, strict = index(0.0), index(0.99)
    assert touched(loose, "Who keeps your passport?") == ["passport"]  # no keywords: the cues are used
    assert touched(strict, "Who keeps your passport?") == []


def test_paired_keywords_must_share_a_sentence():
    topics = index()
    assert "threats" in touched(topics, "What would happen to your family?")
    assert "threats" not in touched(topics, "Your family is far away. What happens next is up to you.")


def test_an_offer_touches_nothing():
    assert touched(index(), "Do you want some money for the bus?") == []


def test_a_greeting_does_not_dilute_the_question():
    topics = index()
    question = "Tell me about your work."
    greeted = "Hello, I am Sam and I am here to listen to you today. " + question
    assert topics.similarity(greeted)[0] >= topics.similarity(question)[0] - 1e-5


def precision_recall(rows, predictions):
    tp = sum(p and r["touches"] for p, r in zip(predictions, rows, strict=True))
    fp = sum(p and not r["touches"] for p, r in zip(predictions, rows, strict=True))
    fn = sum(not p and r["touches"] for p, r in zip(predictions, rows, strict=True))
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def figures_per_persona(files: list[Path], learned: bool) -> dict[str, tuple[float, float]]:
    from simulator.models import load_embedder

    embedder = load_embedder(Settings.load())
    personas = {p.id: p for p in load_personas(Settings.load().personas_dir)}
    rows = [json.loads(line) for labelled in files
            for line in labelled.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_persona: dict[str, list] = {}
    for row in rows:
        by_persona.setdefault(row["persona"], []).append(row)
    assert set(by_persona) == set(personas)
    figures = {}
    for persona_id, persona_rows in by_persona.items():
        persona = personas[persona_id]
        topics = TopicIndex(persona.facts, embedder, learned=learned)
        ids = [fact.id for fact in persona.facts]
        predictions = [bool(topics.scores(r["text"])[ids.index(r["fact"])] > 0) for r in persona_rows]
        figures[persona_id] = precision_recall(persona_rows, predictions)
    return figures


@pytest.mark.real_model
def test_the_thresholds_reach_precision_and_recall_per_persona_on_their_tuning_sets():
    for persona_id, (precision, recall) in figures_per_persona(TUNING_SETS, learned=False).items():
        assert precision >= 0.95 and recall >= 0.85, (persona_id, precision, recall)


@pytest.mark.real_model
def test_the_learned_model_beats_the_thresholds_per_persona():
    """On every labelled file but the cues' own (5664 lines; the model was trained on them, so this is a
    regression check: the figures on authors it never saw are in bench/RESULTS.md), the model keeps
    precision at 0.95 for every persona and recalls more than the thresholds do."""
    from simulator.touch_model import DEFAULT_SETS

    files = [path for path in DEFAULT_SETS if path.name != "train.jsonl"]
    rule = figures_per_persona(files, learned=False)
    for persona_id, (precision, recall) in figures_per_persona(files, learned=True).items():
        rule_precision, rule_recall = rule[persona_id]
        assert precision >= 0.95 and precision > rule_precision, (persona_id, precision, rule_precision)
        assert recall >= 0.8 and recall > rule_recall, (persona_id, recall, rule_recall)


# written by two separate authors who saw only the facts, and kept out of training (touch_model.DEFAULT_SETS):
# the target holds for every shipped persona on lines the model never saw
HELD_OUT_SET = ROOT / "bench" / "heldout" / "touching11" / "touching.jsonl"


@pytest.mark.real_model
def test_the_learned_model_reaches_the_targets_per_persona_on_a_held_out_set():
    from simulator.touch_model import DEFAULT_SETS, TARGET_PRECISION, TARGET_RECALL

    trained = {path.resolve() for path in DEFAULT_SETS}
    assert HELD_OUT_SET.resolve() not in trained, "the held-out set must not be trained on"
    for persona_id, (precision, recall) in figures_per_persona([HELD_OUT_SET], learned=True).items():
        assert precision >= TARGET_PRECISION and recall >= TARGET_RECALL, (persona_id, precision, recall)


@pytest.mark.real_model
@pytest.mark.parametrize("persona_id, text, expected", [
    # the review that filed the issue: one shared word used to release a fact
    ("lan-nail-salon", "Hello... I'm here today to check that people working here are safe.", []),
    ("yonas-smuggled-migrant", "We can talk somewhere private.", []),
    ("stoyan-farm-worker", "Where do you sleep?", ["caravan-housing"]),
])
def test_one_shared_word_is_not_a_topic(persona_id, text, expected):
    from simulator.models import load_embedder

    persona = load_personas(Settings.load().personas_dir).get(persona_id)
    scores = TopicIndex(persona.facts, load_embedder(Settings.load())).scores(text)
    assert [fact.id for fact, score in zip(persona.facts, scores, strict=True) if score > 0] == expected
