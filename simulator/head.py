"""The learned head: logistic regressions for tone, "recommended" and question type over utterance features.

Why: exemplar similarity in MiniLM follows topic more than tone, so harm without a cue word read as
neutral. A linear read-out trained on labelled utterances (the rubric's tone exemplars and the calibration
sets) finds the direction that separates harm from neutral wording. The cues stay as explanations and as
certain overrides (simulator.scoring). The head is a small JSON file next to the rubric; see
simulator.head_training for how it is built and cross-validated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, PrivateAttr

from simulator import atomic
from simulator.embeddings import Embedder
from simulator.harm_nets import HarmNet, with_harm
from simulator.labels import TONES

L2 = 0.03  # ridge penalty on the standardised weights (bias excluded); cross-validated against 0.01-3
ITERATIONS = 400


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Regression:
    """One regression of a joint fit: a boolean mask of the design's rows it reads, their classes' indices,
    how many classes, the rows' weights and the weights to start from (a head's, being refitted)."""

    rows: np.ndarray
    y: np.ndarray
    n_classes: int
    sample_weight: np.ndarray | None = None
    start: np.ndarray | None = None


def fit_logistic(x: np.ndarray, y: np.ndarray, n_classes: int, sample_weight: np.ndarray | None = None,
                 l2: float = L2, iterations: int = ITERATIONS, start: np.ndarray | None = None,
                 dtype: type = np.float64) -> np.ndarray:
    """Multinomial logistic regression by Nesterov-accelerated gradient descent; returns (d + 1, classes)
    weights, the last row the bias, starting from zeros or from `start` (a head's weights being refitted).
    Deterministic: the same inputs give the same bytes. `dtype` float32 halves the time (a studio save's
    refit); a rebuilt head keeps float64."""
    regression = Regression(np.ones(len(x), dtype=bool), y, n_classes, sample_weight, start)
    return fit_logistic_jointly(x, [regression], l2, iterations, dtype)[0]


def fit_logistic_jointly(x: np.ndarray, regressions: list[Regression], l2: float = L2,
                         iterations: int = ITERATIONS, dtype: type = np.float64) -> list[np.ndarray]:
    """Several regressions over rows of one design, each as `fit_logistic` fits it alone on its rows (the
    same steps and penalties; sums in another order), in one product per pass. Why: with a few classes
    each, a pass is bound by reading the design, so the studio's refit reads it once for tone,
    recommendation and question type instead of three times."""
    x = np.asarray(x, dtype=dtype)
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1), dtype=dtype)])
    columns = np.cumsum([0] + [r.n_classes for r in regressions])
    blocks = [slice(a, b) for a, b in zip(columns[:-1], columns[1:], strict=True)]
    targets = np.zeros((n, columns[-1]), dtype=dtype)
    weight = np.zeros((n, columns[-1]), dtype=dtype)
    counts = np.zeros(columns[-1], dtype=dtype)
    step = np.zeros(columns[-1], dtype=dtype)
    w = np.zeros((d + 1, columns[-1]), dtype=dtype)
    for number, (regression, block) in enumerate(zip(regressions, blocks, strict=True)):
        mask = np.asarray(regression.rows)
        if mask.dtype != bool or mask.shape != (n,):
            raise ValueError(f"regression {number}: rows must be a boolean mask of the design's {n} rows")
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            raise ValueError(f"regression {number} has no rows to learn from")
        kept = np.ones(len(rows), dtype=dtype) if regression.sample_weight is None \
            else np.asarray(regression.sample_weight, dtype=dtype)
        kept = kept / kept.mean()
        targets[rows, block] = np.eye(regression.n_classes, dtype=dtype)[regression.y]
        weight[rows, block] = kept[:, None]
        counts[block] = len(rows)
        # the gradient's Lipschitz bound: softmax curvature <= 1/2 times the top eigenvalue of X^T W X / n
        chosen = design if len(rows) == n else design[rows]
        curvature = np.linalg.eigvalsh((chosen * kept[:, None]).T @ chosen / len(rows))[-1]
        step[block] = dtype(1.0 / (0.5 * curvature + l2))
        if regression.start is not None:
            w[:, block] = np.array(regression.start, dtype=dtype)
    ridge = np.full((d + 1, 1), l2, dtype=dtype)
    ridge[-1] = 0.0
    previous = w
    for t in range(1, iterations + 1):
        look = w + dtype((t - 1) / (t + 2)) * (w - previous)
        logits = design @ look
        probabilities = np.hstack([softmax_rows(logits[:, block]) for block in blocks])
        gradient = design.T @ ((probabilities - targets) * weight) / counts + ridge * look
        previous, w = w, look - step * gradient
    return [w[:, block].copy() for block in blocks]


def predict_logistic(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return softmax_rows(np.asarray(x, dtype=np.float64) @ w[:-1] + w[-1])


def tone_label(probabilities: np.ndarray, harmful_threshold: float) -> str:
    """Harmful when its probability reaches the threshold, else the likelier of the other two."""
    harmful = TONES.index("harmful")
    if probabilities[harmful] >= harmful_threshold:
        return "harmful"
    rest = np.array(probabilities, dtype=np.float64)
    rest[harmful] = -1.0
    return TONES[int(rest.argmax())]


def balanced_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Each class weighs the same in total, so the rare harmful class is not drowned by neutral ones."""
    counts = np.bincount(y, minlength=n_classes).astype(float)
    return (len(y) / (n_classes * np.maximum(counts, 1.0)))[y]


class Head(BaseModel):
    """The trained weights, the feature scaling, and what they were trained from."""

    embedder: str
    fingerprint: str  # rubric hash + calibration sets + feature layout; a mismatch means retrain
    n_features: int
    mean: list[float]
    scale: list[float]
    tone: list[list[float]]  # (n_features + 1) x 3, rows = features then bias, columns = TONES
    recommended: list[list[float]]  # (n_features + 1) x 2, columns = (not, recommended)
    # (n_features + 1) x 5, columns = QUESTION_TYPES; None: the exemplar-and-cue rules decide the type
    question_type: list[list[float]] | None = None
    # networks whose averaged p(harmful) replaces the tone regression's (simulator.harm_nets); empty: the
    # regression reads harm too
    harm_nets: list[HarmNet] = []
    harmful_threshold: float  # p(harmful) at or above which the tone is harmful (chosen by cross-validation)
    trained_on: dict[str, int]  # source -> number of examples
    # The tuned encoder's folder beside the head (simulator.tuned_encoder), whose embedding comes first in
    # the features; None when the head reads the frozen features alone.
    encoder: str | None = None
    # The fingerprint of the head this one was refitted from (a studio save, simulator.head_training
    # .refit_head), whose standardisation and cross-validated threshold it keeps; None: trained from nothing.
    refitted_from: str | None = None

    _arrays: tuple[np.ndarray, ...] = PrivateAttr()
    _encoder: Embedder | None = PrivateAttr(default=None)

    def attach(self, encoder: Embedder) -> None:
        """The loaded tuned encoder named by `encoder`."""
        self._encoder = encoder

    @property
    def tuned(self) -> Embedder | None:
        """The attached tuned encoder, or None."""
        return self._encoder

    def model_post_init(self, context: object) -> None:
        """The lists as arrays once, so scoring one utterance costs microseconds, not conversions."""
        lists = (self.mean, self.scale, self.tone, self.recommended, self.question_type or [[0.0]])
        self._arrays = tuple(np.array(values) for values in lists)

    def _standardise(self, features: np.ndarray) -> np.ndarray:
        mean, scale = self._arrays[:2]
        return (np.asarray(features, dtype=np.float64) - mean) / scale

    def tone_probabilities(self, features: np.ndarray) -> np.ndarray:
        z = self._standardise(features)
        return with_harm(predict_logistic(z, self._arrays[2]), self.harm_nets, z)

    def recommended_probability(self, features: np.ndarray) -> np.ndarray:
        return predict_logistic(self._standardise(features), self._arrays[3])[:, 1]

    def question_type_probabilities(self, features: np.ndarray) -> np.ndarray | None:
        if self.question_type is None:
            return None
        return predict_logistic(self._standardise(features), self._arrays[4])


def rounded(values: np.ndarray) -> list:
    """Six decimals: a rebuild with the same inputs writes the same file, and the file is small."""
    return np.round(np.asarray(values, dtype=np.float64), 6).tolist()


def save_head(head: Head, path: Path) -> None:
    atomic.write_text(path, json.dumps(head.model_dump(), sort_keys=True, separators=(",", ":")) + "\n")


def load_head(path: Path) -> Head | None:
    """The head in `path`, or None when it is missing or unreadable (the scorer then runs without one)."""
    try:
        return Head.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
