"""The learned head: its maths by hand, its file, and training with the hashing embedder (no model)."""

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from simulator import cues, harm_nets
from simulator.embeddings import HashingEmbedder
from simulator.head import (
    L2,
    Regression,
    balanced_weights,
    fit_logistic,
    fit_logistic_jointly,
    load_head,
    predict_logistic,
    save_head,
    tone_label,
)
from simulator.head_training import (
    Example,
    analyse_examples,
    fingerprint,
    head_for,
    head_path,
    refit_head,
    refreshed_head,
    studio_sample,
    train_head,
    training_examples,
)
from simulator.labels import TONES
from simulator.rubric import load_rubric
from simulator.settings import Settings
from simulator.tuned_encoder import TunedEncoder

REPO = Path(__file__).resolve().parent.parent
RUBRIC = REPO / "rubrics" / "default.yaml"


def test_fit_logistic_matches_the_hand_solved_optimum():
    # x = -1 -> class 0, x = +1 -> class 1, ridge 1: by symmetry the bias is 0 and the logit gap d per unit x
    # solves d / 2 = 1 / (1 + e^d), so d = 0.6749 (bisection by hand: f(0.675) = 0.0001)
    w = fit_logistic(np.array([[-1.0], [1.0]]), np.array([0, 1]), 2, l2=1.0, iterations=2000)
    assert w[0, 1] - w[0, 0] == pytest.approx(0.6749, abs=1e-3)
    assert w[1, 1] - w[1, 0] == pytest.approx(0.0, abs=1e-6)
    assert predict_logistic(np.array([[1.0]]), w)[0, 1] == pytest.approx(1 / (1 + np.exp(-0.6749)), abs=1e-3)


def test_fit_logistic_is_deterministic():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(40, 5)), rng.integers(0, 3, size=40)
    assert np.array_equal(fit_logistic(x, y, 3), fit_logistic(x, y, 3))


def test_fit_logistic_continues_from_a_start():
    """Started at its own optimum it stays there; a few steps from a nearby start get closer to it."""
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(60, 4)), rng.integers(0, 3, size=60)
    optimum = fit_logistic(x, y, 3, iterations=3000)
    assert np.allclose(fit_logistic(x, y, 3, iterations=5, start=optimum), optimum, atol=1e-6)
    nearby = optimum + rng.normal(scale=0.3, size=optimum.shape)
    continued = fit_logistic(x, y, 3, iterations=20, start=nearby)
    assert np.abs(continued - optimum).max() < np.abs(nearby - optimum).max()


def test_fit_logistic_in_float32_stays_close_to_float64():
    """A studio save's refit runs in float32; the rebuilt head stays float64."""
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(400, 12)), rng.integers(0, 3, size=400)
    start = rng.normal(scale=0.1, size=(13, 3))
    wide = fit_logistic(x, y, 3, iterations=60, start=start)
    narrow = fit_logistic(x, y, 3, iterations=60, start=start, dtype=np.float32)
    assert narrow.dtype == np.float32 and wide.dtype == np.float64
    assert np.abs(narrow - wide).max() < 1e-4


def test_a_joint_fit_gives_each_regression_its_own_fit_on_its_rows():
    """The studio's refit fits tone, recommendation and question type in one pass over the design; each
    must come out as it would alone on the rows that carry its label (weights, start and classes its own)."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(300, 6))
    labelled = rng.random(300) < 0.6
    tone, type_ = rng.integers(0, 3, size=300), rng.integers(0, 5, size=labelled.sum())
    start = rng.normal(scale=0.1, size=(7, 5))
    weights = balanced_weights(type_, 5)
    regressions = [Regression(np.ones(300, dtype=bool), tone, 3),
                   Regression(labelled, type_, 5, weights, start)]
    for dtype, tolerance in ((np.float64, 1e-12), (np.float32, 1e-5)):
        joint = fit_logistic_jointly(x, regressions, iterations=80, dtype=dtype)
        alone = [fit_logistic(x, tone, 3, iterations=80, dtype=dtype),
                 fit_logistic(x[labelled], type_, 5, weights, iterations=80, start=start, dtype=dtype)]
        assert [w.shape for w in joint] == [(7, 3), (7, 5)]
        for together, single in zip(joint, alone, strict=True):
            assert together.dtype == dtype
            assert np.abs(together - single).max() < tolerance


def test_a_joint_fit_reaches_each_regressions_own_optimum():
    """Checked without fit_logistic: at the optimum each regression's gradient, written out here on its own
    rows (weights scaled to mean 1, the ridge on every weight but the bias), vanishes. The data are shifted
    off the origin, so a ridge on the bias would show."""
    rng = np.random.default_rng(13)
    x = rng.normal(size=(120, 3)) + 0.5
    some = rng.random(120) < 0.5
    tone = (x[:, 0] + rng.normal(size=120) > 0.5).astype(int)
    regressions = [Regression(np.ones(120, dtype=bool), tone, 2),
                   Regression(some, rng.integers(0, 3, size=some.sum()), 3,
                              rng.uniform(0.5, 2.0, size=some.sum()), rng.normal(size=(4, 3)))]
    for regression, w in zip(regressions, fit_logistic_jointly(x, regressions, iterations=3000), strict=True):
        design = np.hstack([x[regression.rows], np.ones((regression.rows.sum(), 1))])
        weight = np.ones(len(design)) if regression.sample_weight is None \
            else regression.sample_weight / regression.sample_weight.mean()
        logits = design @ w
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        residual = (probabilities - np.eye(regression.n_classes)[regression.y]) * weight[:, None]
        gradient = design.T @ residual / len(design)
        gradient[:-1] += L2 * w[:-1]
        assert np.abs(gradient).max() < 1e-6


def test_a_joint_fit_refuses_rows_it_cannot_read():
    x, y = np.zeros((4, 2)), np.array([0, 1])
    with pytest.raises(ValueError, match="boolean mask"):
        fit_logistic_jointly(x, [Regression(np.array([0, 1]), y, 2)])
    with pytest.raises(ValueError, match="no rows"):
        fit_logistic_jointly(x, [Regression(np.zeros(4, dtype=bool), y[:0], 2)])


def test_balanced_weights_by_hand():
    # 3 of class 0, 1 of class 1: 4 / (2 * 3) and 4 / (2 * 1)
    assert np.allclose(balanced_weights(np.array([0, 0, 0, 1]), 2), [2 / 3, 2 / 3, 2 / 3, 2.0])


def test_tone_label_uses_the_harmful_threshold():
    # TONES = supportive, neutral, harmful
    assert tone_label(np.array([0.2, 0.45, 0.35]), 0.3) == "harmful"
    assert tone_label(np.array([0.2, 0.45, 0.35]), 0.4) == "neutral"
    assert tone_label(np.array([0.5, 0.1, 0.4]), 0.45) == "supportive"


@pytest.fixture(scope="module")
def rubrics(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rubrics")
    shutil.copy(RUBRIC, folder / "default.yaml")
    shutil.copytree(REPO / "rubrics" / "calibration", folder / "calibration")
    return folder


@pytest.fixture(scope="module")
def trained(rubrics):
    with pytest.MonkeyPatch.context() as patch:  # one harm network instead of five: a minute, not three
        patch.setattr(harm_nets, "NETS", 1)
        return train_head(load_rubric(RUBRIC), HashingEmbedder(dim=64), rubrics / "calibration")


@pytest.fixture
def one_network(monkeypatch):
    """As `trained` was built: the fingerprint names the number of networks."""
    monkeypatch.setattr(harm_nets, "NETS", 1)


def test_training_is_reproducible_and_cross_validated(trained, rubrics, tmp_path, one_network):
    head, validation = trained
    again, _ = train_head(load_rubric(RUBRIC), HashingEmbedder(dim=64), rubrics / "calibration")
    save_head(head, tmp_path / "a.json")
    save_head(again, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert load_head(tmp_path / "a.json").model_dump() == head.model_dump()
    examples = training_examples(load_rubric(RUBRIC), rubrics / "calibration")
    assert validation.tone.n == len(examples) == sum(head.trained_on.values())
    assert validation.recommended.n == sum(e.recommended is not None for e in examples)
    assert 0.0 <= validation.false_alarms <= 1.0 and 0.0 <= validation.harmful_recall <= 1.0
    assert len(head.harm_nets) == 1 and len(head.harm_nets[0].out) == harm_nets.HIDDEN


def test_head_for_uses_a_current_file_and_refits_a_stale_one(trained, rubrics, tmp_path, one_network):
    rubric, embedder = load_rubric(RUBRIC), HashingEmbedder(dim=64)
    assert head_for(rubric, embedder, rubrics, tmp_path) is None  # never built for this pair: none
    head, _ = trained
    save_head(head, head_path(rubrics, rubric.id, embedder.name))
    assert head_for(rubric, embedder, rubrics, tmp_path).model_dump() == head.model_dump()
    reworded = rubric.model_copy(update={"version": rubric.version + 1, "name": "Reworded"})
    assert head_for(reworded, embedder, rubrics, tmp_path).model_dump() == head.model_dump()  # features same
    edited = _with_harmful_exemplars(rubric, "Save the sob story for someone who's paid to listen.")
    retrained = head_for(edited, embedder, rubrics, tmp_path)
    assert retrained is not None and retrained.fingerprint != head.fingerprint
    assert retrained.refitted_from == head.fingerprint
    assert (tmp_path / "heads" / f"{rubric.id}.{retrained.fingerprint}.json").exists()
    head_path(rubrics, rubric.id, embedder.name).unlink()


def test_an_edited_cue_makes_the_head_stale(monkeypatch):
    rubric = load_rubric(RUBRIC)
    examples = training_examples(rubric, REPO / "rubrics" / "calibration")
    before = fingerprint(rubric, examples, "e")
    monkeypatch.setattr(cues, "_HONEST_LIMIT", re.compile(cues._HONEST_LIMIT.pattern + "|to be fair"))
    assert fingerprint(rubric, examples, "e") != before


def test_missing_or_damaged_head_file_reads_as_none(tmp_path):
    assert load_head(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert load_head(tmp_path / "bad.json") is None


def test_the_shipped_head_is_current():
    """Editing the rubric or a calibration set without `interview-sim rubric train` fails here."""
    rubric, name = load_rubric(RUBRIC), Settings.load(environ={}).embedder
    head = load_head(head_path(REPO / "rubrics", rubric.id, name))
    examples = training_examples(rubric, REPO / "rubrics" / "calibration")
    encoder = TunedEncoder(REPO / "rubrics" / "heads" / head.encoder, REPO, name) if head.encoder else None
    assert head is not None and head.fingerprint == fingerprint(rubric, examples, name, encoder), \
        "run: interview-sim rubric train"
    assert len(head.harm_nets) == harm_nets.NETS
    assert head.refitted_from is None, "a studio refit, not a rebuild: run interview-sim rubric train"


def _examples(source: str, n: int) -> list[Example]:
    return [Example(text=f"{source} line {i}", tone="neutral", recommended=True, question_type="directive",
                    source=source) for i in range(n)]


def test_the_studio_sample_keeps_every_exemplar_and_the_same_utterances_for_both_rubrics():
    utterances = _examples("set_a", 40) + _examples("set_b", 40)
    saved = _examples("exemplars", 5) + utterances
    edited = _examples("exemplars", 7) + utterances  # the instructor added two exemplars
    picked_saved, picked_edited = studio_sample(saved, size=30), studio_sample(edited, size=30)
    assert [e.source for e in picked_saved].count("exemplars") == 5
    assert [e.source for e in picked_edited].count("exemplars") == 7
    calibration = [e for e in picked_saved if e.source != "exemplars"]
    assert len(calibration) == 30 and {e.source for e in calibration} == {"set_a", "set_b"}
    assert calibration == [e for e in picked_edited if e.source != "exemplars"]
    assert studio_sample(saved, size=30) == picked_saved  # the same sample click after click
    assert studio_sample(saved, size=100) == saved  # small sets take part whole


def _with_harmful_exemplars(rubric, *texts):
    tone = {**rubric.labels.tone, "harmful": [*rubric.labels.tone["harmful"], *texts]}
    return rubric.model_copy(update={"labels": rubric.labels.model_copy(update={"tone": tone})})


def _tone_objective(weights: list, z: np.ndarray, examples: list) -> float:
    """What the tone regression minimises: class-balanced cross-entropy plus the ridge on the weights."""
    y = np.array([TONES.index(e.tone) for e in examples])
    weight = balanced_weights(y, len(TONES))
    weight = weight / weight.mean()
    w = np.array(weights)
    p = predict_logistic(z, w)[np.arange(len(y)), y]
    return float(np.mean(weight * -np.log(p)) + L2 / 2 * np.sum(w[:-1] ** 2))


def test_a_rubric_save_continues_the_saved_head(trained, rubrics, one_network):
    """The studio's save: the saved head continued on the edited rubric's examples, in place of training
    from nothing; current for the edited rubric, deterministic, and no worse on what it learns from."""
    head, _ = trained
    edited = _with_harmful_exemplars(load_rubric(RUBRIC), "Aren't you a delicate little flower today.",
                                     "Save the sob story for someone who's paid to listen.")
    embedder = HashingEmbedder(dim=64)
    refit = refit_head(edited, embedder, rubrics / "calibration", head)
    examples = training_examples(edited, rubrics / "calibration")
    assert refit.fingerprint == fingerprint(edited, examples, embedder.name) != head.fingerprint
    assert refit.refitted_from == head.fingerprint and refit.harmful_threshold == head.harmful_threshold
    assert refit.mean == head.mean and refit.trained_on["exemplars"] == head.trained_on["exemplars"] + 2
    assert refit.tone != head.tone and refit.harm_nets[0].hidden != head.harm_nets[0].hidden
    again = refit_head(edited, embedder, rubrics / "calibration", head)
    assert again.model_dump() == refit.model_dump()
    assert refit_head(edited, embedder, rubrics / "calibration", refit).refitted_from == head.fingerprint
    features = np.stack([a.features for a in analyse_examples(edited, embedder, examples)])
    z = (features - np.array(head.mean)) / np.array(head.scale)
    assert _tone_objective(refit.tone, z, examples) < _tone_objective(head.tone, z, examples)
    narrow = head.model_copy(update={"n_features": head.n_features - 1})
    with pytest.raises(ValueError, match="rubric train"):
        refit_head(edited, embedder, rubrics / "calibration", narrow)


def _studio_save(rubrics: Path, head, tmp_path: Path, database, text: str):
    """Save `text` through the studio's handler, over a copy of `rubrics` with `head` beside the rubric;
    returns the save's outcome and the copy's folder."""
    from simulator.services import Services
    from simulator.storage import Store
    from simulator.ui.studio import StudioHandlers

    folder = tmp_path / "rubrics"
    shutil.copytree(rubrics, folder)
    save_head(head, head_path(folder, "default", "hashing-64"))
    store = Store(database.url)
    services = Services(Settings(rubrics_dir=folder, data_dir=tmp_path / "data"),
                        embedder=HashingEmbedder(dim=64), store=store)
    try:
        return StudioHandlers(services).save_rubric(text), folder
    finally:
        store.close()


def test_the_studio_saves_a_rubric_with_its_head_refitted(trained, rubrics, tmp_path, database, one_network):
    head, _ = trained
    text = RUBRIC.read_text(encoding="utf-8").replace(
        "    harmful:\n", "    harmful:\n      - Save the sob story for someone who's paid to listen.\n", 1)
    outcome, folder = _studio_save(rubrics, head, tmp_path, database, text)
    assert (outcome.rubric_id, outcome.head) == ("default", "refitted")
    assert "refitted to the edited exemplars (" in outcome.message()
    saved = load_head(head_path(folder, "default", "hashing-64"))
    assert saved.refitted_from == head.fingerprint
    rubric = load_rubric(folder / "default.yaml")
    current = head_for(rubric, HashingEmbedder(dim=64), folder, tmp_path / "cache")
    assert current.model_dump() == saved.model_dump()  # current for the saved rubric: no retraining on load


def test_a_save_that_edits_only_criteria_keeps_the_head(trained, rubrics, tmp_path, database, one_network):
    """A criterion's wording or weight, the name and the version are not features: the head file is kept
    as it was, byte for byte, and no refit runs."""
    head, _ = trained
    save_head(head, tmp_path / "before.json")
    text = RUBRIC.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^name: .*$", "name: Reworded by an instructor", text, count=1)
    edited = re.sub(r"(?m)^(\s+weight: )[0-9.]+", r"\g<1>0.5", edited, count=1)
    assert edited != text
    outcome, folder = _studio_save(rubrics, head, tmp_path, database, edited)
    assert (outcome.rubric_id, outcome.head) == ("default", "kept")
    assert "learned head is unchanged" in outcome.message()
    assert head_path(folder, "default", "hashing-64").read_bytes() == (tmp_path / "before.json").read_bytes()
    assert load_rubric(folder / "default.yaml").name == "Reworded by an instructor"


def test_a_head_that_cannot_be_continued_is_trained_from_nothing(trained, rubrics, monkeypatch, one_network):
    import simulator.head_training as head_training

    head, _ = trained
    from_nothing = head.model_copy(update={"fingerprint": "from nothing"})
    calls = []
    monkeypatch.setattr(head_training, "train_head", lambda *args: calls.append(args) or (from_nothing, None))
    rubric, embedder = load_rubric(RUBRIC), HashingEmbedder(dim=64)
    assert refreshed_head(rubric, embedder, rubrics / "calibration", None) is from_nothing  # none readable
    # features changed since it was saved
    narrow = head.model_copy(update={"n_features": head.n_features - 1, "fingerprint": "older layout"})
    assert refreshed_head(rubric, embedder, rubrics / "calibration", narrow) is from_nothing
    assert len(calls) == 2
    assert refreshed_head(rubric, embedder, rubrics / "calibration", head) is head  # nothing it reads changed
    edited = _with_harmful_exemplars(rubric, "Save the sob story for someone who's paid to listen.")
    assert refreshed_head(edited, embedder, rubrics / "calibration", head).refitted_from == head.fingerprint
    assert len(calls) == 2
