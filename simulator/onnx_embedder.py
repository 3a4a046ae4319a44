"""A mean-pooled sentence-transformers model in ONNX Runtime: the same vectors, about twice as fast on CPU.

Why: a live turn embeds the utterance and its sentences, then the utterance again through the tuned encoder.
On 2 cores torch spends ~27 ms on three short texts where ONNX Runtime spends ~13 ms, for vectors equal to
~1e-6 (bench/RESULTS.md, "Scoring"). The graph is exported once from the local model folder (adapters merged
in, for the tuned encoder) into the cache, keyed by the weights it was exported from.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import warnings
from pathlib import Path

import numpy as np

from simulator import atomic

log = logging.getLogger(__name__)

FORMAT = "2"  # bump when the exported graph changes, so stale cached graphs are not reused
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class UnsupportedModel(ValueError):
    """The model folder is not a transformer followed by mean pooling, which is all the export covers."""


def runtime_available() -> bool:
    """Whether onnxruntime and onnx (the exporter writes through it) are installed."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def max_seq_length(folder: Path) -> int:
    """The model's token limit, after checking its pipeline is transformer, mean pooling (, normalise)."""
    folder = Path(folder)
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = [module["type"].rsplit(".", 1)[-1] for module in modules]
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((folder / pooling["path"] / "config.json").read_text(encoding="utf-8"))
        settings = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        limit = settings["max_seq_length"]
    except (OSError, ValueError, KeyError, StopIteration) as error:
        raise UnsupportedModel(f"{folder}: not a readable sentence-transformers folder ({error})") from error
    modes = [key for key, on in config.items() if key.startswith("pooling_mode") and on]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]) \
            or modes != ["pooling_mode_mean_tokens"]:
        raise UnsupportedModel(f"{folder}: modules {kinds} with pooling {modes}; the ONNX runtime covers "
                               "a transformer with mean pooling only (use embedder_runtime 'torch')")
    return int(limit)


def graph_key(folder: Path, variant: str = "") -> str:
    """Names the exported graph: the weights files (size and time), the variant (merged adapters), torch."""
    import torch

    weights = sorted(Path(folder).glob("*.safetensors")) + sorted(Path(folder).glob("*.bin"))
    stamp = [f"{w.name}:{w.stat().st_size}:{w.stat().st_mtime_ns}" for w in weights]
    text = "\x1f".join([FORMAT, str(Path(folder).resolve()), *stamp, variant, torch.__version__])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def export_graph(transformer, path: Path, fused: bool = True) -> None:
    """Write `transformer` (a transformers encoder), mean pooling and L2 normalisation as an ONNX graph,
    its operators fused (`fused=False`: as torch exports it, for bench/embedder_graphs.py)."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            tokens = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    example = torch.ones((2, 4), dtype=torch.long)
    with atomic.replacing(path) as partial:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shape checks (tests compare vectors with torch)
            torch.onnx.export(
                Pooled(transformer.eval()), (example, example, torch.zeros_like(example)), str(partial),
                input_names=list(INPUTS), output_names=["embedding"], opset_version=17, dynamo=False,
                dynamic_axes={**{name: {0: "batch", 1: "tokens"} for name in INPUTS},
                              "embedding": {0: "batch"}},
            )
        if fused:
            fuse(partial, transformer.config)


def fuse(graph: Path, config) -> None:
    """Rewrite a BERT-style graph with ONNX Runtime's fused attention, layer-norm and GELU operators, in
    place: the same vectors (cosine 0.999999) and about 12 % less time for one live utterance's texts
    (bench/embedder_graphs.py). The fusions recognise only eager attention, which onnx_embedder exports.
    Other architectures are left as exported."""
    if config.model_type != "bert":
        return
    try:
        from onnxruntime.transformers import optimizer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fused = optimizer.optimize_model(str(graph), model_type="bert", hidden_size=config.hidden_size,
                                             num_heads=config.num_attention_heads)
        with atomic.replacing(graph) as written:
            fused.save_model_to_file(str(written))
    except Exception as error:  # the optimiser's own errors: an unfused graph is slower, not wrong
        log.warning("could not fuse the operators of %s (%s); it runs unfused", graph.name, error)


class OnnxEmbedder:
    """Embeds with an exported graph of the model in `path`; `graph` is the .onnx file to run, kept in
    `cache_dir` with any other graph exported from the same model (the tuned encoder's)."""

    yields_cores = True  # its threads do not spin after a run (see the session options below)

    def __init__(self, path: Path, name: str, graph: Path, cache_dir: Path, batch_size: int = 64):
        import onnxruntime
        from transformers import AutoTokenizer

        self.name = name
        self.path = Path(path)
        self.graph = Path(graph)
        self.cache_dir = Path(cache_dir)
        self.batch_size = batch_size
        self._limit = max_seq_length(self.path)
        self._tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _threads()
        options.inter_op_num_threads = 1
        # no busy-waiting after a run: the frozen and tuned graphs run back to back, and spinning threads of
        # one would take the cores from the other (measured: 51 ms per utterance with spinning, see RESULTS)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(str(self.graph), options,
                                                     providers=["CPUExecutionProvider"])
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokens = self._tokenizer(list(texts), truncation="longest_first", max_length=self._limit)
        for rows in batches([len(ids) for ids in tokens["input_ids"]], self.batch_size):
            width = len(tokens["input_ids"][rows[0]])
            feed = {name: np.zeros((len(rows), width), dtype=np.int64) for name in INPUTS}
            feed["input_ids"][:] = self._tokenizer.pad_token_id or 0
            for row, index in enumerate(rows):
                for name in INPUTS:
                    if name in tokens:
                        values = tokens[name][index]
                        feed[name][row, :len(values)] = values
            out[rows] = self._session.run(None, feed)[0]
        return out


def batches(lengths: list[int], size: int, slack: float = 0.85, least: int = 8) -> list[list[int]]:
    """Indices longest first, in batches of at most `size`. A batch of `least` or more texts also closes
    before a text shorter than `slack` of its longest: padding costs as much as text in a big batch, while
    for a few texts (one live turn) a second run costs more than the padding it saves (bench/RESULTS.md).
    0.85 embedded 419 officer texts in 0.516 s against 0.537 s at 0.75 (0.6 and 0.92 were slower)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    for index in order:
        group = groups[-1] if groups else []
        crowded = len(group) >= least and lengths[index] < slack * lengths[group[0]]
        if not group or len(group) >= size or crowded:
            groups.append([index])
        else:
            group.append(index)
    return groups


def _threads() -> int:
    """OMP_NUM_THREADS when set to a number (as torch reads it), else every core."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return max(1, int(value)) if value.isdigit() else os.cpu_count() or 1


def onnx_embedder(folder: Path, name: str, cache_dir: Path, variant: str = "", prepare=None) -> OnnxEmbedder:
    """The model in `folder` through ONNX Runtime, exporting its graph into `cache_dir` on first use.

    `variant` names a change to the weights (merged adapters) and `prepare(transformer)` applies it before
    the export; the cached graph is reused while folder, variant and torch are unchanged. Exporting a new
    graph for `name` deletes its older ones (each is the size of the model).
    """
    max_seq_length(folder)  # an unsupported pipeline fails before any export
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    graph = Path(cache_dir) / "onnx" / f"{slug}.{graph_key(folder, variant)}.onnx"
    with _EXPORTING:  # two sessions starting at once must not write one graph twice
        if graph.is_file():
            try:
                return OnnxEmbedder(folder, name, graph, cache_dir)
            except Exception as error:  # onnxruntime's own error types; a damaged file is rebuilt below
                log.warning("cached graph %s unreadable (%s); exporting it again", graph, error)
                graph.unlink(missing_ok=True)
        for stale in graph.parent.glob(f"{slug}.*.onnx"):
            stale.unlink(missing_ok=True)
        from sentence_transformers import SentenceTransformer

        log.info("exporting %s to %s (once per model and version)", name, graph)
        # eager attention exports the pattern that ONNX Runtime fuses (fuse); the weights are the same
        model = SentenceTransformer(str(folder), device="cpu", local_files_only=True,
                                    model_kwargs={"attn_implementation": "eager"})
        transformer = model[0].auto_model
        if prepare is not None:
            prepare(transformer)
        export_graph(transformer, graph)
        return OnnxEmbedder(folder, name, graph, cache_dir)


_EXPORTING = threading.Lock()
