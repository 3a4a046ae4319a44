"""MiniLM with LoRA adapters tuned on the scorer's labels: the learned head's second view of an utterance.

Why: the frozen sentence embedding follows topic more than stance, so polite pressure, sarcasm and
blame without a blame word sit next to kind questions about the same thing. Tuning the encoder itself on
the labelled utterances (tone, recommended, question type at once) moves them apart: held out by author
(`train_hard`, 450 items), harmful recall at 5 % false alarms went from 0.36 with the frozen features to
0.52 with the tuned embedding beside them (bench/RESULTS.md).

Two adapters are trained on the two halves of the examples (split by a hash of the text). A training
example's tuned features come from the adapter that never saw it, so the head is fitted on features
like those of new utterances; new utterances use adapter "a". The adapters are merged into copies of
the base model at load, so scoring needs no peft and costs one more MiniLM pass per batch. Where the base
embedder runs in ONNX Runtime (simulator.onnx_embedder), so do the merged models.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import zipfile
from pathlib import Path

import numpy as np

from simulator import atomic
from simulator.embeddings import CachedEmbedder, Embedder, SentenceTransformerEmbedder, yields_cores
from simulator.onnx_embedder import OnnxEmbedder, onnx_embedder

log = logging.getLogger(__name__)

RANK = 16
ALPHA = 32
TARGETS = ("query", "key", "value", "dense")
EPOCHS = 4
BATCH = 16
LEARNING_RATE = 5e-4
META = "encoder.json"
HALVES = ("a", "b")
ADAPTER = "adapter_model.safetensors"  # peft's file names in each half's folder
CONFIG = "adapter_config.json"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def half_of(text: str) -> int:
    """0 for the texts adapter "a" trains on, 1 for "b": fixed by the text, not by its position."""
    return int(text_key(text), 16) % 2


def model_folder(embedder: Embedder) -> Path | None:
    """The folder of the sentence-transformers model behind `embedder` (through a cache), if any."""
    inner = getattr(embedder, "inner", embedder)
    return inner.path if isinstance(inner, SentenceTransformerEmbedder | OnnxEmbedder) else None


def onnx_cache(embedder: Embedder) -> Path | None:
    """Where the ONNX graphs of `embedder` live when it runs in ONNX Runtime, else None (torch)."""
    inner = getattr(embedder, "inner", embedder)
    return inner.cache_dir if isinstance(inner, OnnxEmbedder) else None


def _merge(transformer, adapter: Path) -> None:
    """Add each LoRA update (B @ A * alpha / r) to the base weight it adapts in `transformer`."""
    from safetensors.torch import load_file

    config = json.loads((adapter / CONFIG).read_text(encoding="utf-8"))
    scale = config["lora_alpha"] / config["r"]
    tensors = load_file(str(adapter / ADAPTER))
    modules = dict(transformer.named_modules())
    for key, a in tensors.items():
        if ".lora_A." not in key:
            continue
        name = key.split("base_model.model.", 1)[1].split(".lora_A.")[0]
        b = tensors[key.replace(".lora_A.", ".lora_B.")]
        modules[name].weight.data += (b.float() @ a.float()) * scale


class TunedEncoder:
    """The adapters in `folder` over the base model in `base`; `embed` for new utterances,
    `embed_held_out` for training examples (each through the adapter that never saw it)."""

    def __init__(self, folder: Path, base: Path, name: str, graphs: Path | None = None,
                 cache_dir: Path | None = None):
        meta = json.loads((Path(folder) / META).read_text(encoding="utf-8"))
        self.folder, self.base, self.graphs = Path(folder), Path(base), graphs
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.digest: str = meta["digest"]
        self.base_name = name
        self.name = f"{name}+tuned-{self.digest}"  # keys cached vectors: they change with the adapters
        self._seen_by_a = set(meta["seen_by_a"])
        self._models: dict[str, Embedder] = {}
        self._held_out: dict[str, np.ndarray] | None = None  # by text_key, read from the disk cache once
        self._held_out_lock = threading.Lock()

    def _model(self, half: str) -> Embedder:
        if half not in self._models:
            # named by the folder too: the scorer's and the touch model's encoders keep their own graphs
            name, adapter = f"{self.base_name}:{self.folder.name}:{half}", self.folder / half
            if self.graphs is not None:
                self._models[half] = onnx_embedder(
                    self.base, name, self.graphs, variant=f"{self.digest}:{half}",
                    prepare=lambda transformer: _merge(transformer, adapter))
            else:
                model = SentenceTransformerEmbedder(self.base, name=name)
                _merge(model.transformer(), adapter)
                self._models[half] = model
        return self._models[half]

    def uncached(self) -> TunedEncoder:
        """This encoder with no remembered held-out vectors: each is computed in the batches the caller's
        texts make. Why: ONNX Runtime's sums differ in the last bits with the batch a text is padded in, and
        the harm networks' training magnifies that, so `rubric train` rebuilds the same bytes only when its
        vectors do not come from another text list's run (the disk cache)."""
        return TunedEncoder(self.folder, self.base, self.base_name, self.graphs)

    @property
    def yields_cores(self) -> bool:
        return yields_cores(self._model("a"))

    def held_out_half(self, text: str) -> str:
        """The adapter that never saw `text` in training."""
        return "b" if text_key(text) in self._seen_by_a else "a"

    def half(self, name: str) -> Embedder:
        """Adapter "a" or "b" alone, as an Embedder."""
        return self._model(name)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._model("a").embed(texts)

    def embed_held_out(self, texts: list[str]) -> np.ndarray:
        """Each text through the adapter that never saw it, remembered for this encoder's lifetime and in
        the disk cache: every retrain (the studio's saves and comparisons) reads the same 27k calibration
        texts, which cost about a minute and a half to embed on 2 cores."""
        if not texts:
            return self.embed(texts)
        with self._held_out_lock:  # the studio's comparison and a save may run at once
            held_out = self._held_out_vectors()
            keys = [text_key(text) for text in texts]
            new = {key: text for key, text in zip(keys, texts, strict=True) if key not in held_out}
            for half in HALVES:
                chosen = [text for text in new.values() if self.held_out_half(text) == half]
                if chosen:
                    held_out.update(zip(map(text_key, chosen), self._model(half).embed(chosen), strict=True))
            if new:
                self._save_held_out()
            return np.stack([held_out[key] for key in keys])

    def _held_out_file(self) -> Path | None:
        if self.cache_dir is None:
            return None
        runtime = "onnx" if self.graphs is not None else "torch"
        return self.cache_dir / "embeddings" / f"held-out.{self.base_name}.{self.digest}.{runtime}.npz"

    def _held_out_vectors(self) -> dict[str, np.ndarray]:
        if self._held_out is None:
            self._held_out = {}
            path = self._held_out_file()
            if path is not None and path.exists():
                try:
                    with np.load(path) as saved:
                        self._held_out = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
                except (OSError, ValueError, KeyError, zipfile.BadZipFile):
                    pass  # a damaged cache file is recomputed
        return self._held_out

    def _save_held_out(self) -> None:
        path = self._held_out_file()
        if path is None:
            return
        try:
            keys, vectors = zip(*self._held_out_vectors().items(), strict=True)
            with atomic.replacing(path) as temporary, open(temporary, "xb") as out:
                np.savez(out, keys=np.array(keys), vectors=np.stack(vectors))
        except OSError:
            pass  # a read-only cache only costs speed


def load_encoder(folder: Path, embedder: Embedder) -> TunedEncoder | None:
    """The tuned encoder in `folder` for `embedder`, or None (with a warning) when it cannot be used. The
    same object while the folder's metadata is unchanged (a retrain rewrites it), so its graphs load once
    and the held-out vectors it remembers serve the studio's next calibration run."""
    base, meta = model_folder(embedder), Path(folder) / META
    stamp = (meta.stat().st_mtime_ns, meta.stat().st_size) if meta.is_file() else None
    key = (str(Path(folder).resolve()), stamp, embedder.name, str(base), str(onnx_cache(embedder)))
    if key not in _LOADED:
        if base is None or stamp is None:
            log.warning("tuned encoder %s unavailable for embedder %s", folder, embedder.name)
            _LOADED[key] = None
        else:
            _LOADED[key] = TunedEncoder(folder, base, embedder.name, onnx_cache(embedder), cache_of(embedder))
    return _LOADED[key]


_LOADED: dict[tuple, TunedEncoder | None] = {}


def train_encoder(examples: list, embedder: Embedder, folder: Path, seed: int = 0) -> TunedEncoder:
    """Train adapters "a" and "b" on the two halves of `examples` (objects with text, tone, recommended,
    question_type) and write them with their metadata into `folder`. Seeded; needs peft."""
    return train_halves(examples, embedder, folder, seed, _train_half, {"rank": RANK, "epochs": EPOCHS})


def train_halves(examples: list, embedder: Embedder, folder: Path, seed: int, train_half,
                 settings: dict) -> TunedEncoder:
    """Adapters "a" and "b", each trained by `train_half(examples, base folder, output folder, seed)` on one
    half of `examples` (objects with a `text`), with the metadata that says which texts "a" saw."""
    base = model_folder(embedder)
    if base is None:
        raise ValueError(f"a tuned encoder needs a sentence-transformers embedder, not {embedder.name}")
    folder = Path(folder)
    halves = [[e for e in examples if half_of(e.text) == h] for h in range(2)]
    for half, part in zip(HALVES, halves, strict=True):
        train_half(part, base, folder / half, seed)
    seen = sorted({text_key(e.text) for e in halves[0]})
    meta = {"digest": encoder_digest(folder, seen), "seen_by_a": seen, **settings,
            "seed": seed, "examples": [len(part) for part in halves]}
    (folder / META).write_text(json.dumps(meta, sort_keys=True) + "\n", encoding="utf-8")
    return TunedEncoder(folder, base, embedder.name, onnx_cache(embedder), cache_of(embedder))


def cache_of(embedder: Embedder) -> Path | None:
    """The disk cache folder of `embedder` when it has one (simulator.embeddings.CachedEmbedder)."""
    return embedder.cache_dir if isinstance(embedder, CachedEmbedder) else None


def encoder_digest(folder: Path, seen: list[str]) -> str:
    """What names an encoder: its two adapters and the texts adapter "a" saw."""
    digest = hashlib.sha256()
    for half in HALVES:
        digest.update((folder / half / ADAPTER).read_bytes())
    digest.update("".join(seen).encode())
    return digest.hexdigest()[:16]


def lora_model(base: Path, seed: int):
    """MiniLM from `base` with fresh LoRA layers (seeded): (the sentence-transformers model, the peft model
    whose `save_pretrained` writes only the adapter)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    model = SentenceTransformer(str(base), device="cpu", local_files_only=True)
    # injects the LoRA layers into the model in place
    adapted = get_peft_model(model[0].auto_model, LoraConfig(
        r=RANK, lora_alpha=ALPHA, lora_dropout=0.1, target_modules=list(TARGETS)))
    return model, adapted


def save_adapter(adapted, out: Path) -> None:
    adapted.save_pretrained(str(out))
    (out / "README.md").unlink(missing_ok=True)  # peft's model card template, not ours
    _stable_config(out / CONFIG)


def _train_half(examples: list, base: Path, out: Path, seed: int) -> None:
    import torch

    from simulator.labels import QUESTION_TYPES, TONES

    model, adapted = lora_model(base, seed)
    rng = np.random.default_rng(seed)
    width = model.get_embedding_dimension()
    heads = torch.nn.ModuleList([torch.nn.Linear(width, len(TONES)), torch.nn.Linear(width, 2),
                                 torch.nn.Linear(width, len(QUESTION_TYPES))])
    targets = [
        torch.tensor([TONES.index(e.tone) for e in examples]),
        torch.tensor([-100 if e.recommended is None else int(e.recommended) for e in examples]),
        torch.tensor([-100 if e.question_type is None else QUESTION_TYPES.index(e.question_type)
                      for e in examples]),
    ]

    def balanced(y: torch.Tensor, n: int) -> torch.nn.CrossEntropyLoss:
        counts = np.bincount(y[y >= 0].numpy(), minlength=n)
        weight = torch.tensor(counts.sum() / (n * np.maximum(counts, 1)), dtype=torch.float32)
        return torch.nn.CrossEntropyLoss(weight=weight, ignore_index=-100)

    losses = [balanced(y, head.out_features) for y, head in zip(targets, heads, strict=True)]
    trainable = [p for p in model.parameters() if p.requires_grad] + list(heads.parameters())
    optimiser = torch.optim.AdamW(trainable, lr=LEARNING_RATE, weight_decay=0.01)
    texts = [e.text for e in examples]
    model.train()
    for epoch in range(EPOCHS):
        order = rng.permutation(len(texts))
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            features = model.preprocess([texts[i] for i in batch])
            vectors = torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1) * 10
            loss = sum(loss_(head(vectors), y[batch]) for loss_, head, y in zip(losses, heads, targets,
                                                                                 strict=True))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        log.info("tuned encoder %s: epoch %d of %d", out.name, epoch + 1, EPOCHS)
    save_adapter(adapted, out)


def _stable_config(path: Path) -> None:
    """peft writes target_modules from a set, in an order that changes from run to run; sort it so the
    same seed writes the same bytes."""
    config = json.loads(path.read_text(encoding="utf-8"))
    config["target_modules"] = sorted(config["target_modules"])
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
