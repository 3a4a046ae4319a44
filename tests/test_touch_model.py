"""The learned touch model: features, training, the shipped file, its command, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fixtures.engine_fakes import small_persona

from simulator.cli import main as cli_main
from simulator.datafiles import DataFileError
from simulator.embeddings import HashingEmbedder
from simulator.touch_model import (
    DEFAULT_SETS,
    THRESHOLDS,
    TouchModel,
    choose_threshold,
    read_lines,
    save_touch_model,
    shipped_touch_model,
    train_touch_model,
)
from simulator.touching import FEATURES, TopicIndex

# Lines for the small persona: (fact, text, touches); two files so that one can be left out.
LINES = [
    [("hours", "How long is your working day?", True), ("hours", "When do you get a day off?", True),
     ("hours", "What are your hours like?", True), ("hours", "Thank you for your time today.", False),
     ("housing", "Where do you sleep at night?", True), ("housing", "Who else lives in your room?", True),
     ("housing", "We can find you a safe place to sleep.", False), ("pay", "How much do you earn?", True),
     ("pay", "Who keeps the money you are paid?", True),
     ("pay", "My name is Sam and I am an officer.", False)],
    [("hours", "Tell me about a normal day at work.", True), ("hours", "Please take a seat.", False),
     ("housing", "Tell me about where you live.", True), ("housing", "Hello, nice to meet you.", False),
     ("pay", "What happens to your wages?", True), ("pay", "The interpreter is on the phone now.", False),
     ("job", "What do you do here?", True), ("job", "Do you want a glass of water?", False)],
]


def write_sets(folder: Path) -> list[Path]:
    paths = []
    for number, lines in enumerate(LINES):
        path = folder / f"set{number}.jsonl"
        path.write_text("".join(json.dumps({"persona": "test-lan", "fact": fact, "text": text,
                                            "touches": touches}) + "\n" for fact, text, touches in lines),
                        encoding="utf-8")
        paths.append(path)
    return paths


def test_features_are_laid_out_per_fact_and_a_line_can_be_hidden_from_the_cues():
    persona = small_persona()
    topics = TopicIndex(persona.facts, HashingEmbedder(), learned=False)
    cue = "where do you sleep"
    features = topics.features(cue)
    assert features.shape == (len(persona.facts), len(FEATURES))
    housing = [fact.id for fact in persona.facts].index("housing")
    best_cue = FEATURES.index("best_cue")
    assert features[housing, best_cue] == pytest.approx(1.0, abs=1e-5)
    assert topics.features(cue, exclude={cue})[housing, best_cue] < 0.99
    assert features[housing, FEATURES.index("asks")] == 0.0  # no question mark: a topic, not a question
    assert topics.features("Where do you sleep?")[housing, FEATURES.index("asks")] == 1.0


def test_training_is_reproducible_and_reports_each_file_left_out(tmp_path):
    paths = write_sets(tmp_path)
    personas = {"test-lan": small_persona()}
    first = train_touch_model(paths, personas, HashingEmbedder())
    second = train_touch_model(paths, personas, HashingEmbedder())
    save_touch_model(first, tmp_path / "a.json")
    save_touch_model(second, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert first.threshold in THRESHOLDS
    assert [figures.lines for figures in first.cross_validation.values()] == [len(lines) for lines in LINES]
    assert sum(first.trained_on.values()) == sum(map(len, LINES))
    loaded = TouchModel.model_validate_json((tmp_path / "a.json").read_text())
    topics = TopicIndex(small_persona().facts, HashingEmbedder(), learned=False)
    topics.model = loaded
    features = topics.features("How many hours do you work each day?")
    assert np.array_equal(topics.scores("How many hours do you work each day?") > 0, loaded.touches(features))


def test_the_threshold_comes_closest_to_both_targets():
    actual = np.array([True] * 10 + [False] * 10)
    # touching lines score 0.5-0.95, one near miss 0.8 and the rest 0.1. From 0.30 to 0.50: recall 1.0,
    # precision 10/11 (4.3 % short of 0.95); 0.55: 0.9 and 0.9 (5.3 % short); 0.85: recall 0.3. The same
    # figures from 0.30 to 0.50: the highest.
    probabilities = np.array([0.5 + 0.05 * i for i in range(10)] + [0.8] + [0.1] * 9)
    assert choose_threshold(probabilities, actual) == 0.5


def test_where_several_thresholds_meet_the_targets_the_one_with_room_on_both_is_chosen():
    actual = np.array([True] * 20 + [False] * 20)
    # touching lines: 17 at 0.95, one each at 0.7, 0.6 and 0.5; near misses 0.1. Precision is 1.0 (5.3 %
    # to spare) at every threshold; recall 1.0 up to 0.50, 0.95 to 0.60, 0.90 to 0.70 (5.9 % to spare),
    # 0.85 from 0.75 (none to spare). The smaller room is 5.3 % from 0.30 to 0.70: the highest of those.
    probabilities = np.array([0.95] * 17 + [0.7, 0.6, 0.5] + [0.1] * 20)
    assert choose_threshold(probabilities, actual) == 0.7


def test_the_threshold_serves_the_persona_furthest_from_the_targets():
    # A: 40 touching lines at 0.95, 3 near misses at 0.62, 37 at 0.1. B: 7 touching lines at 0.95, 3 at
    # 0.6, 10 near misses at 0.1. Pooled, 0.65 to 0.90 keep precision 1.0 and recall 47/50: the highest,
    # 0.90, is chosen. Per persona, above 0.60 B's recall is 0.7 (17.6 % short) while up to 0.60 A's
    # precision is 40/43 (2.1 % short): the highest of those, 0.60.
    actual = np.array([True] * 40 + [False] * 40 + [True] * 10 + [False] * 10)
    probabilities = np.array([0.95] * 40 + [0.62] * 3 + [0.1] * 37 + [0.95] * 7 + [0.6] * 3 + [0.1] * 10)
    groups = np.array(["a"] * 80 + ["b"] * 20)
    assert choose_threshold(probabilities, actual) == 0.9
    assert choose_threshold(probabilities, actual, groups) == 0.6


@pytest.mark.parametrize("line, message", [
    ({"persona": "test-lan", "fact": "hours", "text": "x", "touches": True, "note": "?"}, "note"),
    ({"persona": "nobody", "fact": "hours", "text": "x", "touches": True}, "unknown persona 'nobody'"),
    ({"persona": "test-lan", "fact": "rent", "text": "x", "touches": True}, "has no fact 'rent'"),
    ({"persona": "test-lan", "fact": "hours", "text": "x"}, "touches"),
])
def test_bad_lines_are_named_by_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    good = {"persona": "test-lan", "fact": "hours", "text": "How long do you work?", "touches": True}
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as error:
        read_lines(path, {"test-lan": small_persona()})
    assert f"{path}:3" in str(error.value)


def test_a_model_for_other_features_is_refused(tmp_path):
    model = train_touch_model(write_sets(tmp_path), {"test-lan": small_persona()}, HashingEmbedder())
    with pytest.raises(ValueError, match="differ from touching.FEATURES"):
        TouchModel.model_validate({**model.model_dump(), "features": ["similarity"]})


def test_no_shipped_model_means_the_thresholds_decide():
    assert shipped_touch_model(HashingEmbedder().name) is None
    assert TopicIndex(small_persona().facts, HashingEmbedder()).model is None


def test_the_command_names_a_missing_file(tmp_path, capsys):
    missing = [str(tmp_path / "nothing.jsonl"), str(tmp_path / "x.jsonl")]
    assert cli_main(["personas", "train-touch", *missing]) == 2
    assert "labelled file not found" in capsys.readouterr().err


@pytest.mark.real_model
def test_the_shipped_model_is_what_the_command_rebuilds(tmp_path, capsys):
    """One command and the shipped labelled sets give the shipped model: the same threshold and figures,
    weights to 1e-3 (another CPU may round MiniLM's last bits differently; the same inputs give the same
    bytes, test_training_is_reproducible_and_reports_each_file_left_out)."""
    from simulator.models import load_embedder
    from simulator.settings import Settings

    name = load_embedder(Settings.load()).name
    shipped = shipped_touch_model(name)
    assert shipped is not None
    output = tmp_path / "touch.json"
    assert cli_main(["personas", "train-touch", "-o", str(output)]) == 0
    rebuilt = TouchModel.model_validate_json(output.read_text(encoding="utf-8"))
    assert (rebuilt.threshold, rebuilt.trained_on) == (shipped.threshold, shipped.trained_on)
    assert np.allclose(rebuilt.weights, shipped.weights, atol=1e-3)
    for file, figures in rebuilt.cross_validation.items():
        assert figures.precision == pytest.approx(shipped.cross_validation[file].precision, abs=0.01)
        assert figures.recall == pytest.approx(shipped.cross_validation[file].recall, abs=0.01)
    report = capsys.readouterr().out
    assert all(f"{path.parent.name}/{path.name}" in report for path in DEFAULT_SETS)


def test_a_damaged_shipped_model_is_named(tmp_path, monkeypatch):
    import simulator.touch_model as touch_model

    monkeypatch.setattr(touch_model, "MODELS_DIR", tmp_path)
    (tmp_path / "broken.json").write_text('{"embedder": "broken"}', encoding="utf-8")
    model = train_touch_model(write_sets(tmp_path), {"test-lan": small_persona()}, HashingEmbedder())
    old = model.model_copy(update={"features": ["similarity"]})
    (tmp_path / "old.json").write_text(old.model_dump_json(), encoding="utf-8")
    for name, message in (("broken", "features"), ("old", "personas train-touch")):
        with pytest.raises(DataFileError, match=message) as error:
            shipped_touch_model(name)
        assert str(tmp_path / f"{name}.json") in str(error.value)
