"""The touch encoder: held-out features for training, the model that reads them, the engine's fallback,
and the command that trains it (real MiniLM, a few lines)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fixtures.engine_fakes import small_persona
from test_touch_model import LINES, write_sets

import simulator.touch_model as touch_model
from simulator.cli import main as cli_main
from simulator.embeddings import HashingEmbedder
from simulator.touch_model import (
    TouchModel,
    feature_names,
    line_features,
    read_lines,
    train_touch_model,
    training_features,
)
from simulator.touching import FEATURES, TopicIndex


class _TwoHalves:
    """Stands in for a TunedEncoder: adapter "a" saw the texts in `seen_by_a`, so their held-out features
    come from "b"; two hashing embedders of different widths tell the halves apart."""

    def __init__(self, seen_by_a: set[str]):
        self.folder = Path("touch.encoder")
        self.seen_by_a = seen_by_a
        self.halves = {"a": HashingEmbedder(dim=64), "b": HashingEmbedder(dim=96)}

    def held_out_half(self, text: str) -> str:
        return "b" if text in self.seen_by_a else "a"

    def half(self, name: str):
        return self.halves[name]


def test_feature_names_double_with_an_encoder():
    assert feature_names(False) == FEATURES
    assert feature_names(True)[:len(FEATURES)] == FEATURES
    assert feature_names(True)[len(FEATURES):] == tuple(f"tuned_{name}" for name in FEATURES)


def test_each_training_line_is_read_by_the_adapter_that_never_saw_it(tmp_path):
    personas = {"test-lan": small_persona()}
    rows = read_lines(write_sets(tmp_path)[0], personas)
    seen = {rows[0].text, rows[3].text}
    encoder = _TwoHalves(seen)
    got = training_features(rows, personas, HashingEmbedder(), encoder)
    assert got.shape == (len(rows), 2 * len(FEATURES))
    np.testing.assert_allclose(got[:, :len(FEATURES)], line_features(rows, personas, HashingEmbedder()))
    for i, row in enumerate(rows):
        half = encoder.half("b" if row.text in seen else "a")
        np.testing.assert_allclose(got[i, len(FEATURES):], line_features([row], personas, half)[0])


def test_the_model_names_its_encoder_and_refuses_other_features(tmp_path):
    model = train_touch_model(write_sets(tmp_path), {"test-lan": small_persona()}, HashingEmbedder(),
                              _TwoHalves(set()))
    assert model.encoder == "touch.encoder" and tuple(model.features) == feature_names(True)
    with pytest.raises(ValueError, match="differ from touching.FEATURES"):
        TouchModel.model_validate({**model.model_dump(), "features": list(FEATURES)})


def test_the_engine_adds_the_encoder_s_features_or_falls_back_to_thresholds(tmp_path, monkeypatch):
    persona = small_persona()
    encoder = _TwoHalves(set())
    model = train_touch_model(write_sets(tmp_path), {"test-lan": persona}, HashingEmbedder(), encoder)
    monkeypatch.setattr(touch_model, "shipped_touch_model", lambda name: model)
    monkeypatch.setattr(touch_model, "touch_encoder", lambda model, embedder: encoder.half("a"))
    topics = TopicIndex(persona.facts, HashingEmbedder())
    text = "Where do you sleep at night?"
    both = np.hstack([topics.features(text),
                      TopicIndex(persona.facts, encoder.half("a"), learned=False).features(text)])
    expected = np.where(model.touches(both), topics.features(text)[:, FEATURES.index("similarity")], 0.0)
    np.testing.assert_allclose(topics.scores(text), expected, atol=1e-6)
    assert topics.scores(text).any()
    # an encoder that cannot be loaded (here: no model folder behind the hashing embedder) leaves the
    # thresholds to decide, not a crash
    monkeypatch.undo()
    monkeypatch.setattr(touch_model, "shipped_touch_model", lambda name: model)
    monkeypatch.setattr(touch_model, "MODELS_DIR", tmp_path)
    assert TopicIndex(persona.facts, HashingEmbedder()).model is None


@pytest.mark.real_model
def test_the_command_trains_the_encoder_reproducibly_in_float16(tmp_path, capsys):
    pytest.importorskip("peft")
    from safetensors.torch import load_file

    paths = write_sets(tmp_path)
    persona_dir = tmp_path / "personas"
    persona_dir.mkdir()
    (persona_dir / "test-lan.yaml").write_text(_persona_yaml(), encoding="utf-8")
    outputs = []
    for run in ("one", "two"):
        output = tmp_path / run / "touch.json"
        args = ["personas", "train-touch", *map(str, paths), "-o", str(output), "--encoder",
                "--personas-dir", str(persona_dir)]
        assert cli_main(args) == 0, capsys.readouterr().err
        outputs.append(output)
    model = TouchModel.model_validate_json(outputs[0].read_text(encoding="utf-8"))
    assert model.encoder == "touch.encoder" and tuple(model.features) == feature_names(True)
    folder = outputs[0].with_suffix(".encoder")
    meta = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
    assert meta["purpose"] == "touch" and sum(meta["examples"]) == sum(len(lines) for lines in LINES)
    for half in ("a", "b"):
        tensors = load_file(str(folder / half / "adapter_model.safetensors"))
        assert tensors and all(str(t.dtype) == "torch.float16" for t in tensors.values())
        assert (folder / half / "adapter_model.safetensors").read_bytes() == \
            (outputs[1].with_suffix(".encoder") / half / "adapter_model.safetensors").read_bytes()
    assert outputs[0].read_bytes() == outputs[1].read_bytes()


def _persona_yaml() -> str:
    from simulator.datafiles import dump_yaml

    return dump_yaml(small_persona())
