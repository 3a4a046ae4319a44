"""The tuned encoder: the fixed half split, the LoRA merge maths, held-out views, and the shipped files."""

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from simulator.embeddings import HashingEmbedder
from simulator.head import load_head, save_head
from simulator.head_training import (
    encoder_path,
    fingerprint,
    head_for,
    head_path,
    refit_head,
    shipped_encoder,
    train_head,
    training_examples,
)
from simulator.rubric import load_rubric
from simulator.settings import Settings
from simulator.tuned_encoder import META, TunedEncoder, _merge, half_of, text_key

REPO = Path(__file__).resolve().parent.parent
RUBRIC = REPO / "rubrics" / "default.yaml"


def test_the_half_split_is_fixed_by_the_text():
    texts = [f"utterance number {i}" for i in range(200)]
    halves = [half_of(t) for t in texts]
    assert halves == [half_of(t) for t in reversed(texts)][::-1]  # not by position
    assert 70 < sum(halves) < 130  # about even
    assert text_key("a") == text_key("a") != text_key("b")


class _Tiny:
    """Stands in for SentenceTransformerEmbedder: one layer named as in a BERT model."""

    def __init__(self):
        self.net = torch.nn.Module()
        self.net.encoder = torch.nn.Module()
        self.net.encoder.query = torch.nn.Linear(3, 2, bias=False)
        self.net.encoder.query.weight.data = torch.zeros(2, 3)

    def transformer(self):
        return self.net


def test_merge_adds_b_times_a_times_alpha_over_r(tmp_path):
    a = torch.tensor([[1.0, 0.0, 2.0]])  # r = 1, in = 3
    b = torch.tensor([[3.0], [-1.0]])  # out = 2
    prefix = "base_model.model.encoder.query"
    tensors = {f"{prefix}.lora_A.weight": a, f"{prefix}.lora_B.weight": b}
    save_file(tensors, str(tmp_path / "adapter_model.safetensors"))
    (tmp_path / "adapter_config.json").write_text(json.dumps({"r": 1, "lora_alpha": 2}), encoding="utf-8")
    model = _Tiny()
    _merge(model.transformer(), tmp_path)
    # hand-computed: B @ A = [[3, 0, 6], [-1, 0, -2]], times alpha / r = 2
    assert model.net.encoder.query.weight.tolist() == [[6.0, 0.0, 12.0], [-2.0, 0.0, -4.0]]


class _Constant:
    def __init__(self, value: float):
        self.value = value

    def embed(self, texts):
        return np.full((len(texts), 2), self.value, dtype=np.float32)


def test_held_out_view_uses_the_adapter_that_never_saw_the_text(tmp_path):
    (tmp_path / META).write_text(json.dumps({"digest": "d", "seen_by_a": [text_key("seen by a")]}),
                                 encoding="utf-8")
    encoder = TunedEncoder(tmp_path, tmp_path, "test")
    encoder._models = {"a": _Constant(1.0), "b": _Constant(2.0)}
    held_out = encoder.embed_held_out(["seen by a", "new text"])
    assert held_out[:, 0].tolist() == [2.0, 1.0]
    assert encoder.embed(["seen by a"])[0, 0] == 1.0  # new utterances always through "a"


def test_held_out_vectors_are_computed_once_per_text(tmp_path):
    """The studio cross-validates two rubrics over the same calibration texts on every click."""
    (tmp_path / META).write_text(json.dumps({"digest": "d", "seen_by_a": [text_key("seen by a")]}),
                                 encoding="utf-8")
    encoder = TunedEncoder(tmp_path, tmp_path, "test")
    calls: list[list[str]] = []

    class _Recording(_Constant):
        def embed(self, texts):
            calls.append(list(texts))
            return super().embed(texts)

    encoder._models = {"a": _Recording(1.0), "b": _Recording(2.0)}
    first = encoder.embed_held_out(["seen by a", "new text", "new text"])
    again = encoder.embed_held_out(["new text", "seen by a", "another"])
    assert first[:, 0].tolist() == [2.0, 1.0, 1.0] and again[:, 0].tolist() == [1.0, 2.0, 1.0]
    assert calls == [["new text"], ["seen by a"], ["another"]]


def test_held_out_vectors_outlive_the_process_in_the_disk_cache(tmp_path):
    """A retrain after a rubric edit reads the same 27k calibration texts: embedded once per encoder."""
    (tmp_path / META).write_text(json.dumps({"digest": "d", "seen_by_a": [text_key("seen by a")]}),
                                 encoding="utf-8")
    cache = tmp_path / "cache"
    first = TunedEncoder(tmp_path, tmp_path, "test", cache_dir=cache)
    first._models = {"a": _Constant(1.0), "b": _Constant(2.0)}
    first.embed_held_out(["seen by a", "new text"])
    again = TunedEncoder(tmp_path, tmp_path, "test", cache_dir=cache)  # a new process, say
    again._models = {"a": _Constant(5.0), "b": _Constant(6.0)}
    assert again.embed_held_out(["new text", "seen by a", "third"])[:, 0].tolist() == [1.0, 2.0, 5.0]
    (tmp_path / META).write_text(json.dumps({"digest": "other", "seen_by_a": []}), encoding="utf-8")
    retrained = TunedEncoder(tmp_path, tmp_path, "test", cache_dir=cache)  # new adapters: nothing reused
    retrained._models = {"a": _Constant(7.0), "b": _Constant(8.0)}
    assert retrained.embed_held_out(["new text"])[:, 0].tolist() == [7.0]
    damaged = next((cache / "embeddings").glob("held-out.test.other.*.npz"))
    damaged.write_bytes(b"not a numpy file")
    recomputed = TunedEncoder(tmp_path, tmp_path, "test", cache_dir=cache)
    recomputed._models = {"a": _Constant(3.0), "b": _Constant(4.0)}
    assert recomputed.embed_held_out(["new text"])[:, 0].tolist() == [3.0]


def test_the_rebuild_computes_its_own_vectors(tmp_path):
    """`rubric train` must not read vectors another text list's run left in the cache (see `uncached`)."""
    (tmp_path / META).write_text(json.dumps({"digest": "d", "seen_by_a": []}), encoding="utf-8")
    cached = TunedEncoder(tmp_path, tmp_path, "test", cache_dir=tmp_path / "cache")
    cached._models = {"a": _Constant(1.0), "b": _Constant(2.0)}
    cached.embed_held_out(["a text"])
    rebuild = cached.uncached()
    rebuild._models = {"a": _Constant(5.0), "b": _Constant(6.0)}
    assert rebuild.cache_dir is None and rebuild.embed_held_out(["a text"])[0, 0] == 5.0


def test_a_head_whose_encoder_is_missing_reads_as_none(tmp_path):
    """Its features need the encoder, so the scorer falls back to exemplars and cues, not a crash."""
    folder = tmp_path / "rubrics"
    folder.mkdir()
    shutil.copy(RUBRIC, folder / "default.yaml")
    shutil.copytree(REPO / "rubrics" / "calibration", folder / "calibration")
    rubric, embedder = load_rubric(RUBRIC), HashingEmbedder(dim=32)
    head, _ = train_head(rubric, embedder, folder / "calibration")
    save_head(head.model_copy(update={"encoder": "default.hashing-32.encoder"}),
              head_path(folder, rubric.id, embedder.name))
    assert head_for(rubric, embedder, folder, tmp_path / "cache") is None


def test_the_shipped_encoder_is_small_and_named_by_the_head():
    name = Settings.load(environ={}).embedder
    head = load_head(head_path(REPO / "rubrics", "default", name))
    folder = encoder_path(REPO / "rubrics", "default", name)
    assert head.encoder == folder.name
    sizes = [path.stat().st_size for path in folder.rglob("*.safetensors")]
    # two halves; the shipped blend stores both parents' updates exactly, so each is rank 32 (5.4 MB)
    assert len(sizes) == 2 and sum(sizes) < 12_000_000


@pytest.mark.real_model
def test_the_shipped_encoder_feeds_the_head():
    from simulator.models import load_embedder
    from simulator.scoring import Scorer

    settings = Settings.load()
    embedder = load_embedder(settings)
    rubric = load_rubric(RUBRIC)
    head = head_for(rubric, embedder, REPO / "rubrics", settings.cache_dir)
    assert head is not None and head.tuned is not None
    analysis = Scorer(rubric, embedder, head).analyse_many(["Tell me what happened next."])[0]
    assert analysis.features.shape == (head.n_features,)
    seen = next(text for text in rubric.labels.tone["neutral"] if text_key(text) in head.tuned._seen_by_a)
    assert not np.allclose(head.tuned.embed([seen]), head.tuned.embed_held_out([seen]))


@pytest.mark.real_model
def test_training_writes_small_reproducible_adapters(tmp_path, real_embedder, monkeypatch):
    pytest.importorskip("peft")
    import simulator.tuned_encoder as tuned_encoder
    from simulator.head_training import Example

    monkeypatch.setattr(tuned_encoder, "EPOCHS", 1)
    tones = ("supportive", "neutral", "harmful")
    examples = [Example(text=f"Officer line number {i}.", tone=tones[i % 3], recommended=i % 2 == 0,
                        question_type="statement", source="test") for i in range(24)]
    first = tuned_encoder.train_encoder(examples, real_embedder, tmp_path / "one")
    again = tuned_encoder.train_encoder(examples, real_embedder, tmp_path / "two")
    assert sorted(p.name for p in (tmp_path / "one" / "a").iterdir()) == [
        "adapter_config.json", "adapter_model.safetensors"]
    assert first.digest == again.digest  # same seed, same bytes
    seen = [e.text for e in examples if half_of(e.text) == 0]
    assert first._seen_by_a == {text_key(text) for text in seen}
    assert first.embed(seen[:1]).shape == (1, 384)


def _small_rubrics(tmp_path: Path) -> Path:
    """The default rubric with one small calibration set of 24 labelled lines."""
    rubrics = tmp_path / "rubrics"
    (rubrics / "calibration").mkdir(parents=True)
    shutil.copy(REPO / "rubrics" / "default.yaml", rubrics / "default.yaml")
    lines = [("Tell me about your day at the farm.", "invitation", "neutral", "true"),
             ("Where do you sleep at night?", "directive", "neutral", "true"),
             ("Is the van white or blue?", "option_posing", "neutral", "false"),
             ("He hit you, didn't he?", "suggestive", "neutral", "false"),
             ("Answer me now or you'll be on the next flight home.", "statement", "harmful", "false"),
             ("Thank you for talking to me, take all the time you need.", "statement", "supportive", "true")]
    items = "".join(f'  - {{text: "{text} ({n})", question_type: {kind}, tone: {tone}, recommended: {rec}}}\n'
                    for n in range(4) for text, kind, tone, rec in lines)
    (rubrics / "calibration" / "small.yaml").write_text(f"id: small\ndescription: test\nitems:\n{items}",
                                                        encoding="utf-8")
    return rubrics


@pytest.mark.real_model
def test_the_train_command_rebuilds_encoder_and_head_beside_the_rubric(tmp_path, monkeypatch, capsys):
    """`interview-sim rubric train --encoder` on a small calibration set: both adapters, the head that
    names them, and a peft config whose module list no longer changes order from run to run; then again,
    blended with the first encoder (WiSE-FT), which the head then names."""
    pytest.importorskip("peft")
    import simulator.tuned_encoder as tuned_encoder
    from simulator.cli import main as cli_main

    monkeypatch.setattr(tuned_encoder, "EPOCHS", 1)
    rubrics = _small_rubrics(tmp_path)
    assert cli_main(["rubric", "train", "--encoder", "--rubrics-dir", str(rubrics)]) == 0
    assert "cross-validation" in capsys.readouterr().out
    head = json.loads((rubrics / "heads" / "default.all-minilm-l6-v2.json").read_text(encoding="utf-8"))
    assert head["encoder"] == "default.all-minilm-l6-v2.encoder"
    folder = rubrics / "heads" / "default.all-minilm-l6-v2.encoder"
    for half in ("a", "b"):
        config = json.loads((folder / half / "adapter_config.json").read_text(encoding="utf-8"))
        assert config["target_modules"] == sorted(config["target_modules"])
        assert (folder / half / "adapter_model.safetensors").stat().st_size < 4_000_000

    first = json.loads((folder / META).read_text(encoding="utf-8"))
    shutil.copytree(folder, tmp_path / "anchor")
    # a different encoder to blend with the first
    monkeypatch.setattr(tuned_encoder, "LEARNING_RATE", tuned_encoder.LEARNING_RATE / 2)
    assert cli_main(["rubric", "train", "--encoder", "--blend-with", str(folder), "--blend-weight", "0.3",
                     "--rubrics-dir", str(rubrics)]) == 0
    blended = json.loads((folder / META).read_text(encoding="utf-8"))
    assert blended["blend"]["anchor"] == first["digest"] and blended["blend"]["weight"] == 0.3
    assert blended["rank"] == 2 * first["rank"]
    config = json.loads((folder / "a" / "adapter_config.json").read_text(encoding="utf-8"))
    assert config["r"] == 2 * first["rank"]
    head = json.loads((rubrics / "heads" / "default.all-minilm-l6-v2.json").read_text(encoding="utf-8"))
    examples = training_examples(load_rubric(rubrics / "default.yaml"), rubrics / "calibration")
    refitted = fingerprint(load_rubric(rubrics / "default.yaml"), examples, "all-minilm-l6-v2",
                           SimpleNamespace(digest=blended["digest"]))
    assert head["fingerprint"] == refitted  # the head was refitted on the blended encoder


@pytest.mark.real_model
def test_prepare_leaves_a_refit_nothing_to_embed_or_search(tmp_path, monkeypatch, capsys):
    """After `interview-sim rubric prepare`, a studio save's refit in a new process (fresh embedder,
    encoder and cue memory) reads every vector and cue from the disk cache."""
    from simulator import cues
    from simulator.cli import main as cli_main
    from simulator.models import load_embedder

    rubrics = _small_rubrics(tmp_path)
    shutil.copytree(REPO / "rubrics" / "heads", rubrics / "heads")  # the shipped head and tuned encoder
    monkeypatch.setenv("INTERVIEW_SIM_CACHE_DIR", str(tmp_path / "cache"))
    flags = ["--rubrics-dir", str(rubrics), "--embedder-runtime", "torch"]
    assert cli_main(["rubric", "prepare", *flags]) == 0
    assert re.search(r"prepared \d+ examples for rubric default", capsys.readouterr().out)

    settings = Settings.load({"rubrics_dir": rubrics, "embedder_runtime": "torch"})
    embedder = load_embedder(settings)
    encoder = shipped_encoder(rubrics, "default", embedder)
    cues.forget_sentences()

    def computed(*args):
        pytest.fail("computed again after prepare")

    monkeypatch.setattr(embedder.inner, "embed", computed)
    monkeypatch.setattr(TunedEncoder, "_model", computed)
    monkeypatch.setattr(cues, "_search", computed)
    saved = load_head(head_path(rubrics, "default", embedder.name))
    rubric = load_rubric(rubrics / "default.yaml")
    head = refit_head(rubric, embedder, rubrics / "calibration", saved, encoder)
    assert head.refitted_from == saved.fingerprint


@pytest.mark.parametrize(("flags", "message"), [
    (["--blend-with", "x"], "go together"),
    (["--blend-weight", "0.5"], "go together"),
    (["--blend-with", "x", "--blend-weight", "0.5"], "needs --encoder"),
    (["--encoder", "--blend-with", "x", "--blend-weight", "1.5"], "must lie in"),
    (["--encoder", "--blend-with", "nowhere", "--blend-weight", "0.5"], "no tuned encoder"),
])
def test_a_half_given_blend_is_refused_before_any_training(flags, message, capsys):
    from simulator.cli import main as cli_main

    assert cli_main(["rubric", "train", *flags]) == 2
    assert message in capsys.readouterr().err


def test_an_encoder_is_loaded_again_only_when_its_files_change(tmp_path, monkeypatch):
    """One object per encoder folder, so its graphs load once and its held-out vectors are reused."""
    import simulator.tuned_encoder as tuned_encoder

    monkeypatch.setattr(tuned_encoder, "model_folder", lambda embedder: tmp_path / "base")
    embedder = HashingEmbedder()
    folder = tmp_path / "encoder"
    folder.mkdir()
    (folder / META).write_text(json.dumps({"digest": "d1", "seen_by_a": []}), encoding="utf-8")
    first = tuned_encoder.load_encoder(folder, embedder)
    assert first is not None and tuned_encoder.load_encoder(folder, embedder) is first
    (folder / META).write_text(json.dumps({"digest": "d22", "seen_by_a": []}), encoding="utf-8")  # retrained
    again = tuned_encoder.load_encoder(folder, embedder)
    assert again is not first and again.digest == "d22"
