"""Small neural networks that read harm from the learned head's standardised features.

Why: a linear read-out missed about a quarter of harmful lines in every blind set (contempt, sarcasm,
polite pressure), and a second careful labeller missed almost none, so the gap is the reader. One hidden
layer lets harm depend on combinations of features (a polite form with a coercive aim). Single networks
swing by up to 10 points of recall with the seed, so the head averages an ensemble of seeds
(bench/head_models.py; figures in bench/RESULTS.md, "Scoring"). Training uses scikit-learn; reading is
two matrix products in numpy, so the scorer's hot path gains no dependency.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, PrivateAttr

from simulator.labels import TONES

NETS = 5  # seeds 0 .. NETS-1; 0 leaves harm to the logistic regression
HIDDEN = 64
ALPHA = 1.0  # L2 penalty, as bench/head_models.py measured it
MAX_ITERATIONS = 200
MIN_HARMFUL = 20  # fewer harmful examples than this: a network learns nothing the regression does not
BATCH = 200  # scikit-learn's default, which fit_harm_nets trains with
REFIT_EPOCHS = 2  # passes when a studio save continues the networks (continue_harm_nets)


class HarmNet(BaseModel):
    """One network: standardised features -> ReLU hidden layer -> p(harmful)."""

    hidden: list[list[float]]  # n_features x HIDDEN
    hidden_bias: list[float]
    out: list[float]  # HIDDEN
    out_bias: float

    _arrays: tuple[np.ndarray, ...] = PrivateAttr()

    def model_post_init(self, context: object) -> None:
        self._arrays = (np.array(self.hidden), np.array(self.hidden_bias), np.array(self.out))

    def probability(self, z: np.ndarray) -> np.ndarray:
        hidden, hidden_bias, out = self._arrays
        logit = np.maximum(z @ hidden + hidden_bias, 0.0) @ out + self.out_bias
        return 0.5 * (1.0 + np.tanh(0.5 * logit))  # the logistic function, without overflow


def settings() -> list:
    """What the networks are trained with, for the head's fingerprint (read at call time: tests set NETS)."""
    return ["harm networks", NETS, HIDDEN, ALPHA, MAX_ITERATIONS, MIN_HARMFUL]


def ensemble_probability(nets: list[HarmNet], z: np.ndarray) -> np.ndarray:
    """p(harmful) averaged over the ensemble, one per row of standardised features."""
    z = np.asarray(z, dtype=np.float64)
    return np.mean([net.probability(z) for net in nets], axis=0)


def fit_harm_nets(z: np.ndarray, harmful: np.ndarray, seeds: range | None = None) -> list[HarmNet]:
    """One network per seed (default 0 .. NETS-1), each on the examples with harmful ones resampled
    (seeded) up to the others' number, stopping early on a held-out tenth. Empty when there is too little
    harm to learn from. Deterministic: the same inputs give the same weights."""
    harmful = np.asarray(harmful, dtype=bool)
    seeds = range(NETS) if seeds is None else seeds
    if not seeds or harmful.sum() < MIN_HARMFUL or (~harmful).sum() < MIN_HARMFUL:
        return []
    from sklearn.neural_network import MLPClassifier

    fitted = []
    for seed in seeds:
        rows = _resampled(harmful, np.random.default_rng(seed))
        model = MLPClassifier((HIDDEN,), alpha=ALPHA, max_iter=MAX_ITERATIONS, early_stopping=True,
                              random_state=seed)
        model.fit(z[rows], harmful[rows].astype(int))
        (hidden, out), (hidden_bias, out_bias) = model.coefs_, model.intercepts_
        fitted.append(_rounded_net(hidden, hidden_bias, out, out_bias))
    return fitted


def _resampled(harmful: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Every row, then harmful rows drawn again (seeded) until they match the others in number."""
    extra = rng.choice(np.flatnonzero(harmful), max(0, int((~harmful).sum() - harmful.sum())))
    return np.concatenate([np.arange(len(harmful)), extra])


def _rounded_net(hidden, hidden_bias, out, out_bias) -> HarmNet:
    from simulator.head import rounded  # here: simulator.head reads these networks

    return HarmNet(hidden=rounded(hidden), hidden_bias=rounded(hidden_bias), out=rounded(np.ravel(out)),
                   out_bias=round(float(np.ravel(out_bias)[0]), 6))


def continue_harm_nets(nets: list[HarmNet], z: np.ndarray, harmful: np.ndarray,
                       epochs: int = REFIT_EPOCHS) -> list[HarmNet]:
    """`nets` trained on for `epochs` passes over new examples (a rubric edit in the studio), from their
    current weights: the loss, penalty, Adam settings, batch size and harmful resampling of
    `fit_harm_nets`, with a fixed number of passes instead of early stopping. Deterministic."""
    harmful = np.asarray(harmful, dtype=bool)
    if not nets or harmful.sum() < MIN_HARMFUL or (~harmful).sum() < MIN_HARMFUL:
        return fit_harm_nets(z, harmful)  # nothing to continue from, or too little harm to learn from
    z = np.asarray(z, dtype=np.float64)
    continued = []
    for seed, net in enumerate(nets):
        rng = np.random.default_rng(seed)
        rows = _resampled(harmful, rng)
        params = [np.array(net.hidden), np.array(net.hidden_bias), np.array(net.out), np.array(net.out_bias)]
        moments = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
        step = 0
        for _ in range(epochs):
            order = rng.permutation(rows)
            for begin in range(0, len(order), BATCH):
                batch = order[begin:begin + BATCH]
                step += 1
                _adam(params, moments, _gradients(params, z[batch], harmful[batch]), step)
        continued.append(_rounded_net(*params))
    return continued


def _gradients(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Of the mean log loss plus ALPHA / 2 of the squared weights, per example (as scikit-learn's MLP)."""
    hidden, hidden_bias, out, out_bias = params
    before = x @ hidden + hidden_bias
    active = np.maximum(before, 0.0)
    delta = 0.5 * (1.0 + np.tanh(0.5 * (active @ out + out_bias))) - y
    back = np.outer(delta, out) * (before > 0)
    n = len(y)
    return [(x.T @ back + ALPHA * hidden) / n, back.mean(axis=0), (active.T @ delta + ALPHA * out) / n,
            np.array(delta.mean())]


def _adam(params: list[np.ndarray], moments: tuple[list, list], gradients: list[np.ndarray], step: int,
          rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
    first, second = moments
    scale = rate * np.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
    for i, gradient in enumerate(gradients):
        first[i] = beta1 * first[i] + (1 - beta1) * gradient
        second[i] = beta2 * second[i] + (1 - beta2) * gradient ** 2
        params[i] = params[i] - scale * first[i] / (np.sqrt(second[i]) + eps)


def with_harm(tone_p: np.ndarray, nets: list[HarmNet], z: np.ndarray) -> np.ndarray:
    """The regression's tone probabilities with p(harmful) replaced by the networks' (unchanged without
    networks); the other tones share the rest in the regression's proportion, so which of them is likelier
    does not change."""
    if not nets:
        return tone_p
    harmful = TONES.index("harmful")
    tone_p = np.array(tone_p, dtype=np.float64)
    others = np.arange(tone_p.shape[1]) != harmful
    share = tone_p[:, others] / np.maximum(tone_p[:, others].sum(axis=1, keepdims=True), 1e-12)
    harm_p = ensemble_probability(nets, z)
    tone_p[:, others] = share * (1.0 - harm_p)[:, None]
    tone_p[:, harmful] = harm_p
    return tone_p
