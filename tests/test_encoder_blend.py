"""Blending two tuned encoders (WiSE-FT): the exact update maths, the files and metadata, and bad input."""

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file
from test_tuned_encoder import _Tiny

from simulator.encoder_blend import blend_encoders, blend_tensors
from simulator.tuned_encoder import HALVES, META, _merge

PREFIX = "base_model.model.encoder.query"
A, B = f"{PREFIX}.lora_A.weight", f"{PREFIX}.lora_B.weight"


def write_encoder(folder: Path, a: list, b: list, seen: list[str], digest: str, alpha: float = 2.0) -> Path:
    """An encoder folder with the same rank-1 adapter in both halves."""
    for half in HALVES:
        (folder / half).mkdir(parents=True)
        save_file({A: torch.tensor(a), B: torch.tensor(b)}, str(folder / half / "adapter_model.safetensors"))
        (folder / half / "adapter_config.json").write_text(json.dumps({"r": 1, "lora_alpha": alpha}))
    (folder / META).write_text(json.dumps({"digest": digest, "seen_by_a": seen, "rank": 1, "seed": 0}))
    return folder


def test_the_blended_factors_give_the_weighted_sum_of_the_two_updates():
    tuned = {A: torch.tensor([[1.0, 0.0, 2.0]]), B: torch.tensor([[3.0], [-1.0]])}
    anchor = {A: torch.tensor([[0.0, 1.0, 0.0]]), B: torch.tensor([[2.0], [4.0]])}
    blended = blend_tensors(tuned, anchor, 0.25)
    assert blended[A].shape == (2, 3) and blended[B].shape == (2, 2)
    # hand-computed: 0.25 * [[3, 0, 6], [-1, 0, -2]] + 0.75 * [[0, 2, 0], [0, 4, 0]]
    assert (blended[B] @ blended[A]).tolist() == [[0.75, 1.5, 1.5], [-0.25, 3.0, -0.5]]


def test_weight_one_and_zero_give_each_encoder_alone():
    tuned = {A: torch.tensor([[1.0, 2.0]]), B: torch.tensor([[1.0]])}
    anchor = {A: torch.tensor([[5.0, 0.0]]), B: torch.tensor([[2.0]])}
    assert (lambda t: (t[B] @ t[A]).tolist())(blend_tensors(tuned, anchor, 1.0)) == [[1.0, 2.0]]
    assert (lambda t: (t[B] @ t[A]).tolist())(blend_tensors(tuned, anchor, 0.0)) == [[10.0, 0.0]]


def test_the_blended_folder_merges_into_the_model_as_the_weighted_update(tmp_path):
    tuned = write_encoder(tmp_path / "tuned", [[1.0, 0.0, 2.0]], [[3.0], [-1.0]], ["k1", "k2"], "t" * 16)
    anchor = write_encoder(tmp_path / "anchor", [[0.0, 1.0, 0.0]], [[2.0], [4.0]], ["k1", "k0"], "o" * 16)
    meta = blend_encoders(tuned, anchor, tmp_path / "out", 0.5)
    config = json.loads((tmp_path / "out" / "a" / "adapter_config.json").read_text())
    assert (config["r"], config["lora_alpha"]) == (2, 4.0)  # alpha / r kept at 2
    model = _Tiny()
    _merge(model.net, tmp_path / "out" / "b")
    # hand-computed: 2 * (0.5 * [[3, 0, 6], [-1, 0, -2]] + 0.5 * [[0, 2, 0], [0, 4, 0]])
    assert model.net.encoder.query.weight.tolist() == [[3.0, 2.0, 6.0], [-1.0, 4.0, -2.0]]
    assert meta["seen_by_a"] == ["k0", "k1", "k2"]  # a text either "a" saw is scored through "b"
    assert meta["blend"] == {"weight": 0.5, "tuned": "t" * 16, "anchor": "o" * 16}
    assert meta["rank"] == 2 and json.loads((tmp_path / "out" / META).read_text()) == meta
    assert meta["digest"] not in ("t" * 16, "o" * 16)


def test_the_anchor_may_be_the_output_folder_and_the_blend_is_reproducible(tmp_path):
    tuned = write_encoder(tmp_path / "tuned", [[1.0, 0.0, 2.0]], [[3.0], [-1.0]], ["k1"], "t" * 16)
    copy = write_encoder(tmp_path / "copy", [[0.0, 1.0, 0.0]], [[2.0], [4.0]], [], "o" * 16)
    first = blend_encoders(tuned, copy, tmp_path / "elsewhere", 0.3)
    shipped = write_encoder(tmp_path / "shipped", [[0.0, 1.0, 0.0]], [[2.0], [4.0]], [], "o" * 16)
    in_place = blend_encoders(tuned, shipped, shipped, 0.3)
    assert in_place["digest"] == first["digest"]
    assert load_file(str(shipped / "a" / "adapter_model.safetensors"))[A].shape == (2, 3)


def test_bad_blends_are_refused_and_the_output_left_alone(tmp_path):
    tuned = write_encoder(tmp_path / "tuned", [[1.0, 0.0, 2.0]], [[3.0], [-1.0]], [], "t" * 16)
    other_scale = write_encoder(tmp_path / "other", [[0.0, 1.0, 0.0]], [[2.0], [4.0]], [], "o" * 16,
                                alpha=8.0)
    with pytest.raises(ValueError, match="weight must lie in"):
        blend_encoders(tuned, other_scale, tmp_path / "out", 1.5)
    with pytest.raises(ValueError, match="scales differ"):
        blend_encoders(tuned, other_scale, other_scale, 0.5)
    assert json.loads((other_scale / META).read_text())["digest"] == "o" * 16  # untouched
    with pytest.raises(ValueError, match="anchor encoder: no encoder.json"):
        blend_encoders(tuned, tmp_path / "missing", tmp_path / "out", 0.5)
    with pytest.raises(ValueError, match="different modules"):
        blend_tensors({A: torch.zeros(1, 2)}, {B: torch.zeros(2, 1)}, 0.5)
