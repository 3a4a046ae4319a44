"""The harm networks: their reading by hand, how they share probability with the tone regression, and
training that is seeded, learns what a linear read-out cannot, and declines when harm is too rare."""

import numpy as np
import pytest

from simulator.harm_nets import (
    ALPHA,
    MIN_HARMFUL,
    HarmNet,
    _gradients,
    continue_harm_nets,
    ensemble_probability,
    fit_harm_nets,
    with_harm,
)
from simulator.head import Head, load_head, save_head


def two_unit_net() -> HarmNet:
    # hidden = relu([z0 - z1, z1]); logit = 2 * h0 - h1 - 0.5
    return HarmNet(hidden=[[1.0, 0.0], [-1.0, 1.0]], hidden_bias=[0.0, 0.0], out=[2.0, -1.0], out_bias=-0.5)


def test_a_network_reads_by_hand():
    z = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
    # rows: relu(1, 0) -> 2 - 0.5 = 1.5; relu(-2, 2) = (0, 2) -> -2 - 0.5 = -2.5; (2, 1) -> 4 - 1 - 0.5 = 2.5
    expected = 1 / (1 + np.exp(-np.array([1.5, -2.5, 2.5])))
    assert np.allclose(two_unit_net().probability(z), expected)


def test_the_ensemble_averages_its_networks():
    other = HarmNet(hidden=[[0.0], [0.0]], hidden_bias=[0.0], out=[0.0], out_bias=0.0)  # always 0.5
    z = np.array([[1.0, 0.0]])
    assert ensemble_probability([two_unit_net(), other], z)[0] == pytest.approx(
        (1 / (1 + np.exp(-1.5)) + 0.5) / 2)


def test_with_harm_keeps_the_other_tones_in_proportion():
    # TONES = supportive, neutral, harmful; the net says 0.5 harmful: the 0.6 : 0.3 split keeps 2 : 1
    net = HarmNet(hidden=[[0.0]], hidden_bias=[0.0], out=[0.0], out_bias=0.0)
    tone_p = np.array([[0.6, 0.3, 0.1]])
    mixed = with_harm(tone_p, [net], np.zeros((1, 1)))
    assert np.allclose(mixed, [[1 / 3, 1 / 6, 0.5]])
    assert with_harm(tone_p, [], np.zeros((1, 1))) is tone_p  # no networks: the regression's reading


def xor_data(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Harmful when the first two features have the same sign: no line separates it."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 4))
    harmful = (z[:, 0] * z[:, 1] > 0.3)
    return z, harmful


def test_networks_learn_a_combination_a_regression_cannot():
    from simulator.head import fit_logistic, predict_logistic

    z, harmful = xor_data()
    test_z, test_harmful = xor_data(seed=1)
    nets = fit_harm_nets(z, harmful, seeds=range(2))
    assert len(nets) == 2
    said = ensemble_probability(nets, test_z) >= 0.5
    linear = predict_logistic(test_z, fit_logistic(z, harmful.astype(int), 2))[:, 1] >= 0.5
    assert (said == test_harmful).mean() >= 0.85
    assert (linear == test_harmful).mean() < 0.75


def test_training_is_seeded_and_the_file_keeps_the_networks(tmp_path):
    z, harmful = xor_data(n=300)
    first, again = fit_harm_nets(z, harmful, seeds=range(2)), fit_harm_nets(z, harmful, seeds=range(2))
    assert [n.model_dump() for n in first] == [n.model_dump() for n in again]
    assert first[0].model_dump() != first[1].model_dump()  # each its own seed
    head = Head(embedder="e", fingerprint="f", n_features=4, mean=[0.0] * 4, scale=[1.0] * 4,
                tone=[[0.0] * 3] * 5, recommended=[[0.0] * 2] * 5, harm_nets=first, harmful_threshold=0.5,
                trained_on={"x": 300})
    save_head(head, tmp_path / "head.json")
    loaded = load_head(tmp_path / "head.json")
    assert np.allclose(loaded.tone_probabilities(z[:5])[:, 2], ensemble_probability(first, z[:5]))


def test_too_little_harm_trains_no_network():
    z, harmful = xor_data(n=300)
    few = harmful & (np.cumsum(harmful) < MIN_HARMFUL)
    assert fit_harm_nets(z, few, seeds=range(2)) == []
    assert fit_harm_nets(z, harmful, seeds=range(0)) == []


def test_a_head_file_from_before_the_networks_still_loads(tmp_path):
    head = Head(embedder="e", fingerprint="f", n_features=1, mean=[0.0], scale=[1.0],
                tone=[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], recommended=[[0.0, 0.0]] * 2, harmful_threshold=0.5,
                trained_on={"x": 1})
    text = head.model_dump_json(exclude={"harm_nets"})
    (tmp_path / "old.json").write_text(text, encoding="utf-8")
    old = load_head(tmp_path / "old.json")
    assert old is not None and old.harm_nets == []
    assert np.allclose(old.tone_probabilities(np.zeros((1, 1))), [[1 / 3] * 3])


def _penalised_loss(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    hidden, hidden_bias, out, out_bias = params
    p = 1 / (1 + np.exp(-(np.maximum(x @ hidden + hidden_bias, 0) @ out + out_bias)))
    log_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return log_loss + ALPHA / (2 * len(y)) * (np.sum(hidden ** 2) + np.sum(out ** 2))


def test_the_continued_training_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(7, 3)), rng.integers(0, 2, size=7).astype(float)
    params = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=4), np.array(0.3)]
    for i, gradient in enumerate(_gradients(params, x, y)):
        numeric = np.zeros_like(params[i])
        for index in np.ndindex(params[i].shape):
            shifted = [p.copy() for p in params]
            shifted[i][index] += 1e-6
            lower = [p.copy() for p in params]
            lower[i][index] -= 1e-6
            numeric[index] = (_penalised_loss(shifted, x, y) - _penalised_loss(lower, x, y)) / 2e-6
        assert np.allclose(gradient, numeric, atol=1e-6), i


def test_continued_networks_learn_the_new_examples_from_where_they_were():
    """A studio save: networks trained on one sample continue on a changed one (harm now also needs a
    third feature) and read it better, deterministically; with no passes they are unchanged."""
    z, harmful = xor_data(n=400)
    nets = fit_harm_nets(z, harmful, seeds=range(2))
    changed = harmful & (z[:, 2] > -0.5)
    before = ensemble_probability(nets, z)
    continued = continue_harm_nets(nets, z, changed, epochs=20)
    after = ensemble_probability(continued, z)
    assert np.mean((after >= 0.5) == changed) > np.mean((before >= 0.5) == changed)
    assert [n.model_dump() for n in continue_harm_nets(nets, z, changed, epochs=20)] == \
        [n.model_dump() for n in continued]
    assert [n.model_dump() for n in continue_harm_nets(nets, z, changed, epochs=0)] == \
        [n.model_dump() for n in nets]
