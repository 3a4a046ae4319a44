"""The Embedder interface, the sentence-transformers implementation and an on-disk cache.

Embeddings are L2-normalised, so a dot product is a cosine similarity.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from simulator import atomic


@runtime_checkable
class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dim), each row L2-normalised."""
        ...


def yields_cores(embedder: Embedder) -> bool:
    """Whether the embedder's runtime frees its cores the moment a run ends, so that two embedders can run
    at once without slowing each other. ONNX Runtime does with spinning off; torch's OpenMP threads keep
    spinning, and a second thread calling torch starts a second spinning team (bench/RESULTS.md)."""
    return bool(getattr(embedder, "yields_cores", False))


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (the embedded MiniLM by default)."""

    def __init__(self, path: str | Path, name: str = "all-minilm-l6-v2", device: str = "cpu",
                 batch_size: int = 64):
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.path = Path(path)
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(path), device=device, local_files_only=True)
        self._lock = threading.Lock()

    def transformer(self):
        """The underlying transformers model (simulator.tuned_encoder merges adapters into it)."""
        return self._model[0].auto_model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.get_sentence_embedding_dimension()), dtype=np.float32)
        with self._lock:  # the model is shared between sessions; torch modules are not re-entrant-safe
            vectors = self._model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """A deterministic bag-of-words embedder for fast tests: similar wording gives similar vectors."""

    def __init__(self, dim: int = 256):
        self.name = f"hashing-{dim}"
        self.dim = dim

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"[a-z']+", text.lower())
            for token in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dim] += 1.0 if digest[4] & 1 else -1.0
        out[np.all(out == 0, axis=1), 0] = 1.0
        return normalise(out)


class CachedEmbedder:
    """Wraps an Embedder with an on-disk cache for fixed texts (rubric exemplars, fact cues).

    Keyed by model name and the hash of the whole text list, so editing one exemplar re-embeds
    that rubric once and then starts warm again.
    """

    def __init__(self, inner: Embedder, cache_dir: Path):
        self.inner = inner
        self.name = inner.name
        self.cache_dir = Path(cache_dir)

    @property
    def yields_cores(self) -> bool:
        return yields_cores(self.inner)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed(texts)

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        key = hashlib.sha256(("\x1f".join([self.name, *texts])).encode()).hexdigest()[:32]
        path = self.cache_dir / "embeddings" / f"{key}.npy"
        if path.exists():
            try:
                cached = np.load(path)
                if cached.shape[0] == len(texts):
                    return cached
            except (OSError, ValueError):
                pass  # a damaged cache file is recomputed below
        vectors = self.inner.embed(texts)
        try:
            with atomic.replacing(path) as temporary, open(temporary, "xb") as out:
                np.save(out, vectors)
        except OSError:
            pass  # a read-only cache only costs speed
        return vectors


def embed_fixed(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Embed texts that rarely change, through the disk cache when the embedder has one."""
    if isinstance(embedder, CachedEmbedder):
        return embedder.embed_cached(texts)
    return embedder.embed(texts)
