"""Which model reads harm best from the learned head's features: the logistic regression (which read harm
until the head's networks) against the networks of simulator.harm_nets (one hidden layer), alone and as an
ensemble of seeds (the head ships seeds 0-4), on the same features.

Each model's harmful threshold is chosen as the shipped head's is (the lowest whose 5-fold out-of-fold
false alarms stay within 4 %), then the model fitted on every training example reads the blind sets
given (none of them in training). A strong harmful cue still decides, as in the scorer.

Run: .venv/bin/python bench/head_models.py bench/heldout/scorer-blind20 ...   (sets not in training: blind
sets 2-19 became training data; figures: bench/RESULTS.md, "Scoring")
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scorer_blind import read_set

from simulator.cli.score import build_scorer
from simulator.harm_nets import ensemble_probability, fit_harm_nets
from simulator.head import balanced_weights, fit_logistic, predict_logistic
from simulator.head_training import (
    FOLDS,
    MAX_FALSE_ALARMS,
    _folds,
    add_tuned,
    analyse_examples,
    shipped_encoder,
    training_examples,
)
from simulator.labels import TONES
from simulator.settings import Settings

HARMFUL = TONES.index("harmful")
THRESHOLDS = np.round(np.arange(0.05, 0.99, 0.0125), 4)


def logistic(x: np.ndarray, harmful: np.ndarray, tests: list[np.ndarray], tone: np.ndarray) -> list:
    weights = fit_logistic(x, tone, len(TONES), balanced_weights(tone, len(TONES)))
    return [predict_logistic(test, weights)[:, HARMFUL] for test in tests]


def network(seeds: range):
    """The shipped harm networks (simulator.harm_nets) with the given seeds, averaged."""
    def fit(x: np.ndarray, harmful: np.ndarray, tests: list[np.ndarray], tone: np.ndarray) -> list:
        nets = fit_harm_nets(x, harmful, seeds)
        return [ensemble_probability(nets, test) for test in tests]
    return fit


def standardised(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    mean, scale = train.mean(axis=0), train.std(axis=0) + 1e-6
    return [(x - mean) / scale for x in (train, *others)]


def read(said: np.ndarray, harmful: np.ndarray) -> tuple[float, float]:
    return float(said[harmful].mean()), float(said[~harmful].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sets", type=Path, nargs="+", help="blind set folders (utterances.jsonl)")
    args = parser.parse_args()
    settings = Settings.load()
    scorer = build_scorer(settings)
    rubric, embedder, rubrics = scorer.rubric, scorer.embedder, Path(settings.rubrics_dir)
    examples = training_examples(rubric, rubrics / "calibration")
    analyses = add_tuned(analyse_examples(rubric, embedder, examples),
                         shipped_encoder(rubrics, rubric.id, embedder))
    x = np.stack([a.features for a in analyses])
    tone = np.array([TONES.index(e.tone) for e in examples])
    harmful, certain = tone == HARMFUL, np.array([a.certain_harm for a in analyses])
    blind = {}
    for folder in args.sets:
        items = read_set(folder / "utterances.jsonl")
        found = scorer.analyse_many([item["text"] for item in items])
        blind[folder.name] = (np.stack([a.features for a in found]),
                              np.array([item["tone"] == "harmful" for item in items]),
                              np.array([a.certain_harm for a in found]))
    models = {"logistic regression": logistic, "network, seed 0": network(range(1)),
              "network, seed 1": network(range(1, 2)), "network, seed 2": network(range(2, 3)),
              "5 networks, seeds 0-4 (shipped)": network(range(5)),
              "5 networks, seeds 5-9": network(range(5, 10))}
    fold_of = _folds(len(examples))
    print("| model | threshold | cross-validated recall / false alarms | "
          + " | ".join(blind) + " |\n|---|---|---|" + "---|" * len(blind))
    for name, fit in models.items():
        started, out_of_fold = time.perf_counter(), np.zeros(len(examples))
        for fold in range(FOLDS):
            kept, held = fold_of != fold, fold_of == fold
            train, test = standardised(x[kept], x[held])
            out_of_fold[held] = fit(train, harmful[kept], [test], tone[kept])[0]
        threshold = next(t for t in THRESHOLDS
                         if read((out_of_fold >= t) | certain, harmful)[1] <= MAX_FALSE_ALARMS)
        recall, alarms = read((out_of_fold >= threshold) | certain, harmful)
        train, *tests = standardised(x, *[features for features, _, _ in blind.values()])
        cells = [read((p >= threshold) | sure, truth) for p, (_, truth, sure) in
                 zip(fit(train, harmful, tests, tone), blind.values(), strict=True)]
        print(f"| {name} | {threshold:.3f} | {recall:.3f} / {alarms:.3f} | "
              + " | ".join(f"{r:.3f} / {a:.3f}" for r, a in cells)
              + f" |  ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
