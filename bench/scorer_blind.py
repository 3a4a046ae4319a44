"""The scorer on a blind set written by a separate author: question type, recommended, harmful tone, per kind.

Run: .venv/bin/python bench/scorer_blind.py [--set FILE.jsonl] [--earlier]   (figures: bench/RESULTS.md)

The set is JSON lines with text, question_type, tone, recommended, kind and minor_context (the person
interviewed is under 18). `--earlier` also scores rubrics/calibration/blind_holdout.yaml, the first blind
set, with a head retrained without it (the shipped head was trained on it), so both figures are held out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from simulator.calibration import label_metrics, load_calibration
from simulator.head_training import head_for, train_head
from simulator.labels import QUESTION_TYPES, Assessment
from simulator.models import load_embedder
from simulator.rubric import load_rubric
from simulator.scoring import Scorer
from simulator.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "bench" / "heldout" / "scorer-blind" / "utterances.jsonl"
EARLIER = "blind_holdout"


def read_set(path: Path) -> list[dict]:
    """A blind set's JSON lines (blank lines skipped)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def figures(items: list[dict], assessments: list[Assessment]) -> dict:
    """Question-type macro-F1, recommended accuracy, harmful recall and precision, false alarms, misses."""
    types = label_metrics(QUESTION_TYPES, [i["question_type"] for i in items],
                          [a.question_type for a in assessments])
    harmful = [a.tone == "harmful" for a in assessments]
    truly = [i["tone"] == "harmful" for i in items]
    hits = sum(h and t for h, t in zip(harmful, truly, strict=True))
    calm = sum(not t for t in truly)
    alarms = sum(h and not t for h, t in zip(harmful, truly, strict=True))
    kinds: dict[str, Counter] = defaultdict(Counter)
    misses: list[dict] = []
    for item, assessment, said_harmful in zip(items, assessments, harmful, strict=True):
        kind = kinds[item.get("kind", "-")]
        kind["n"] += 1
        wrong = {
            "question_type": assessment.question_type != item["question_type"],
            "recommended": assessment.recommended != item["recommended"],
            "harmful_missed": item["tone"] == "harmful" and not said_harmful,
            "false_alarm": item["tone"] != "harmful" and said_harmful,
        }
        kind.update({key: int(value) for key, value in wrong.items()})
        if any(wrong.values()):
            misses.append({"text": item["text"], "kind": item.get("kind", "-"),
                           "truth": [item["question_type"], item["tone"], item["recommended"]],
                           "said": [assessment.question_type, assessment.tone, assessment.recommended],
                           "wrong": [key for key, value in wrong.items() if value]})
    return {
        "n": len(items), "question_type_macro_f1": types.macro_f1,
        "recommended_accuracy": round(sum(a.recommended == i["recommended"] for a, i in
                                          zip(assessments, items, strict=True)) / len(items), 4),
        "harmful": {"n": sum(truly), "recall": round(hits / max(1, sum(truly)), 4),
                    "precision": round(hits / max(1, sum(harmful)), 4)},
        "false_alarms": {"n": alarms, "of": calm, "share": round(alarms / max(1, calm), 4)},
        "by_kind": {kind: dict(counts) for kind, counts in sorted(kinds.items())},
        "misses": misses,
    }


def score(scorer: Scorer, items: list[dict]) -> list[Assessment]:
    minors = [i for i, item in enumerate(items) if item.get("minor_context")]
    adults = [i for i in range(len(items)) if i not in set(minors)]
    out: dict[int, Assessment] = {}
    for rows, minor in ((adults, False), (minors, True)):
        for row, assessment in zip(rows, scorer.assess_many([items[r]["text"] for r in rows], minor=minor),
                                   strict=True):
            out[row] = assessment
    return [out[i] for i in range(len(items))]


def earlier_set(settings: Settings, embedder) -> dict:
    """The first blind set, scored by a head trained on everything but it."""
    calibration = Path(settings.rubrics_dir) / "calibration"
    rubric = load_rubric(Path(settings.rubrics_dir) / f"{settings.rubric}.yaml")
    with tempfile.TemporaryDirectory() as folder:
        for path in calibration.glob("*.yaml"):
            if load_calibration(path).id != EARLIER:
                shutil.copy(path, folder)
        head, _ = train_head(rubric, embedder, Path(folder))
    items = [item.model_dump() for item in load_calibration(calibration / f"{EARLIER}.yaml").items]
    return figures(items, score(Scorer(rubric, embedder, head), items))


def row(name: str, result: dict) -> str:
    return (f"| {name} | {result['n']} | {result['question_type_macro_f1']:.3f} | "
            f"{result['recommended_accuracy']:.3f} | {result['harmful']['recall']:.3f} "
            f"({result['harmful']['n']}) | {result['harmful']['precision']:.3f} | "
            f"{result['false_alarms']['share']:.3f} "
            f"({result['false_alarms']['n']} of {result['false_alarms']['of']}) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", type=Path, default=BLIND, help="JSON lines (default: %(default)s)")
    parser.add_argument("--earlier", action="store_true",
                        help="also the first blind set, held out the same way")
    parser.add_argument("--json", type=Path, help="write every figure and miss here")
    args = parser.parse_args()
    settings = Settings.load()
    embedder = load_embedder(settings)
    rubric = load_rubric(Path(settings.rubrics_dir) / f"{settings.rubric}.yaml")
    head = head_for(rubric, embedder, settings.rubrics_dir, settings.cache_dir)
    if head is None:
        raise SystemExit("no learned head for this rubric and embedder: `interview-sim rubric train`")
    items = read_set(args.set)
    results = {args.set.name: figures(items, score(Scorer(rubric, embedder, head), items))}
    if args.earlier:
        results[f"{EARLIER}.yaml (head retrained without it)"] = earlier_set(settings, embedder)
    print(f"rubric {rubric.id} ({rubric.content_hash()}), embedder {embedder.name}, "
          f"head {head.fingerprint}, harmful threshold {head.harmful_threshold:.2f}\n")
    print("| set | n | question type macro-F1 | recommended accuracy | harmful recall (n) | "
          "harmful precision | false alarms |\n|---|---|---|---|---|---|---|")
    for name, result in results.items():
        print(row(name, result))
    for name, result in results.items():
        print(f"\n{name}, by kind (n, question-type errors, recommended errors, harmful missed, "
              "false alarms):")
        for kind, counts in result["by_kind"].items():
            print(f"  {kind}: n={counts['n']}, type {counts.get('question_type', 0)}, "
                  f"recommended {counts.get('recommended', 0)}, "
                  f"harmful missed {counts.get('harmful_missed', 0)}, "
                  f"false alarms {counts.get('false_alarm', 0)}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
