"""bench/blind_to_calibration.py: a scored blind set becomes a calibration file that loads, without lines
that repeat a rubric exemplar or another calibration text."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from simulator.calibration import load_calibration
from simulator.rubric import load_rubrics

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "blind_to_calibration.py"
spec = importlib.util.spec_from_file_location("blind_to_calibration", SCRIPT)
converter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(converter)


def rubrics_copy(tmp_path: Path) -> Path:
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    shutil.copy(ROOT / "rubrics" / "default.yaml", rubrics)
    shutil.copytree(ROOT / "rubrics" / "calibration", rubrics / "calibration")
    return rubrics


def row(text: str, tone: str = "neutral") -> str:
    return json.dumps({"text": text, "question_type": "statement", "tone": tone, "recommended": False,
                       "kind": "test", "minor_context": False})


def test_repeats_are_left_out_and_the_file_loads(tmp_path):
    rubrics = rubrics_copy(tmp_path)
    exemplar = next(iter(load_rubrics(rubrics))).exemplar_texts()[0]
    known = load_calibration(rubrics / "calibration" / "officer_utterances.yaml").items[0].text
    fresh = "The kettle in the canteen at Harrow Lane has been broken since Easter, sorry about the tea."
    folder = tmp_path / "scorer-blind99"
    folder.mkdir()
    lines = [row(exemplar), row(known.upper()), row(fresh, "harmful"), row(fresh + "  ")]
    folder.joinpath("utterances.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text, kept, dropped = converter.convert(folder, rubrics)
    assert kept == 1 and dropped == [exemplar, known.upper(), fresh + "  "]
    out = rubrics / "calibration" / "blind_99.yaml"
    out.write_text(text, encoding="utf-8")
    items = load_calibration(out).items
    assert [(i.text, i.tone, i.recommended) for i in items] == [(fresh, "harmful", False)]


def test_tone_only_leaves_the_authors_question_types_out(tmp_path):
    rubrics = rubrics_copy(tmp_path)
    folder = tmp_path / "scorer-blind97"
    folder.mkdir()
    fresh = "The kettle in the canteen at Harrow Lane has been broken since Easter, sorry about the tea."
    folder.joinpath("utterances.jsonl").write_text(row(fresh, "harmful") + "\n", encoding="utf-8")
    text, kept, _ = converter.convert(folder, rubrics, tone_only=True)
    assert kept == 1 and "question_type" not in text
    out = rubrics / "calibration" / "blind_97.yaml"
    out.write_text(text, encoding="utf-8")
    [item] = load_calibration(out).items
    assert (item.text, item.question_type, item.tone, item.recommended) == (fresh, None, "harmful", False)


def test_a_folder_that_is_not_a_blind_set_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="scorer-blind<N>"):
        converter.convert(tmp_path, ROOT / "rubrics")
    empty = tmp_path / "scorer-blind98"
    empty.mkdir()
    with pytest.raises(SystemExit, match="no utterances.jsonl"):
        converter.convert(empty, ROOT / "rubrics")


def test_agreed_types_keeps_a_question_type_only_where_the_second_labeller_gave_it(tmp_path):
    rubrics = rubrics_copy(tmp_path)
    folder = tmp_path / "scorer-blind96"
    folder.mkdir()
    texts = ["The kettle in the canteen at Harrow Lane has been broken since Easter, sorry about the tea.",
             "Marisol says the parking at Harrow Lane costs more than the lunch, which seems unfair to me."]
    folder.joinpath("utterances.jsonl").write_text("\n".join(row(t) for t in texts) + "\n", encoding="utf-8")
    second = [{"n": 1, "question_type": "statement", "tone": "neutral", "recommended": False},
              {"n": 2, "question_type": "suggestive", "tone": "neutral", "recommended": False}]
    labels = folder / "second_labeller.jsonl"
    labels.write_text("\n".join(json.dumps(label) for label in second) + "\n", encoding="utf-8")
    text, kept, _ = converter.convert(folder, rubrics, agreed_types=True)
    out = rubrics / "calibration" / "blind_96.yaml"
    out.write_text(text, encoding="utf-8")
    assert kept == 2 and "(1 of 2 lines" in text
    assert [i.question_type for i in load_calibration(out).items] == ["statement", None]
    labels.write_text(json.dumps(second[0]) + "\n", encoding="utf-8")  # a line left unlabelled
    with pytest.raises(SystemExit, match="one per line"):
        converter.convert(folder, rubrics, agreed_types=True)
    labels.unlink()
    with pytest.raises(SystemExit, match="no second_labeller.jsonl"):
        converter.convert(folder, rubrics, agreed_types=True)
    labels.write_text(json.dumps(second[0]) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="one per line"):
        converter.convert(folder, rubrics, agreed_types=True)
    with pytest.raises(SystemExit, match="exclude each other"):
        converter.convert(folder, rubrics, tone_only=True, agreed_types=True)
