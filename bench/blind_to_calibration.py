"""Turn a blind set, once scored and reported, into training data: rubrics/calibration/blind_<N>.yaml.

Why: every blind set has joined training the same way after its one scoring (bench/RESULTS.md, "Scoring").
Lines that repeat a rubric exemplar (exactly or by word overlap >= 0.8) or a text of another calibration
file are left out, so no example is counted twice and no exemplar is scored against itself. Remove the set
from HELD_OUT_SCORER_SETS in tests/test_calibration.py, which otherwise fails, then rebuild encoder and
head with `interview-sim rubric train --encoder`. With --tone-only the set teaches tone and recommendation
only: its question types are left out, so one author's question-type convention does not move the scorer.
With --agreed-types it keeps a line's question type only where the set's second labeller gave the same one
(`second_labeller.jsonl`): the convention both readers of the label brief share, not one author's.

Run: .venv/bin/python bench/blind_to_calibration.py bench/heldout/scorer-blind20
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from simulator.calibration import comparable_text, load_calibration
from simulator.rubric import load_rubrics

ROOT = Path(__file__).resolve().parent.parent
SIMILAR = 0.8


def output_path(folder: Path, rubrics_dir: Path) -> Path:
    return rubrics_dir / "calibration" / f"blind_{folder.name.removeprefix('scorer-blind')}.yaml"


def second_types(folder: Path, count: int) -> list[str]:
    """The second labeller's question type of each line of the set, in order."""
    path = folder / "second_labeller.jsonl"
    if not path.is_file():
        raise SystemExit(f"{folder}: no second_labeller.jsonl for --agreed-types")
    labels = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if [label["n"] for label in labels] != list(range(1, count + 1)):
        raise SystemExit(f"{path}: expected labels n = 1..{count}, one per line of the set")
    return [label["question_type"] for label in labels]


def convert(folder: Path, rubrics_dir: Path, tone_only: bool = False,
            agreed_types: bool = False) -> tuple[str, int, list[str]]:
    """The YAML text for the set in `folder`, how many lines it keeps, and the texts it leaves out."""
    if tone_only and agreed_types:
        raise SystemExit("--tone-only and --agreed-types exclude each other")
    number = re.fullmatch(r"scorer-blind(\d+)", folder.name)
    if number is None:
        raise SystemExit(f"{folder}: expected a folder named scorer-blind<N>")
    if not (folder / "utterances.jsonl").is_file():
        raise SystemExit(f"{folder}: no utterances.jsonl")
    where = f"bench/heldout/{folder.name}/"
    calibration = rubrics_dir / "calibration"
    out = output_path(folder, rubrics_dir)
    seen = {comparable_text(item.text) for path in sorted(calibration.glob("*.yaml")) if path != out
            for item in load_calibration(path).items}
    exemplars = [set(comparable_text(text).split()) for rubric in load_rubrics(rubrics_dir)
                 for text in rubric.exemplar_texts()]
    lines = (folder / "utterances.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    second = second_types(folder, len(rows)) if agreed_types else None
    kept, dropped = [], []
    for n, row in enumerate(rows):
        if tone_only or (second is not None and second[n] != row["question_type"]):
            row = {**row, "question_type": None}
        text = comparable_text(row["text"])
        words = set(text.split())
        repeat = text in seen or any(len(words & e) / max(1, len(words | e)) >= SIMILAR for e in exemplars)
        (dropped if repeat else kept).append(row)
        seen.add(text)
    typed = sum(r["question_type"] is not None for r in kept)
    head = [f"# Blind held-out set {number[1]} of issue 12 ({where}, by a separate author "
            "who opened no project file),",
            "# scored once as reported in bench/RESULTS.md, then made training data by "
            "bench/blind_to_calibration.py.",
            f"# {len(dropped)} lines that repeat a rubric exemplar or another calibration text are left out.",
            *(["# Tone and recommendation only: the author's question types are left out (--tone-only)."]
              if tone_only else []),
            *([f"# Question types only where the second labeller gave the same ({typed} of {len(kept)} "
               "lines; --agreed-types)."] if agreed_types else []),
            f"id: blind_{number[1]}",
            f"description: Blind held-out set {number[1]} ({where}), {len(kept)} items, "
            "used for training after its one scoring.",
            "items:"]
    body = [f"  - {{text: {json.dumps(r['text'], ensure_ascii=False)}, "
            + ("" if r["question_type"] is None else f"question_type: {r['question_type']}, ")
            + f"tone: {r['tone']}, recommended: {str(r['recommended']).lower()}}}" for r in kept]
    return "\n".join(head + body) + "\n", len(kept), [r["text"] for r in dropped]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="bench/heldout/scorer-blind<N>")
    parser.add_argument("--rubrics-dir", type=Path, default=ROOT / "rubrics")
    types = parser.add_mutually_exclusive_group()
    types.add_argument("--tone-only", action="store_true",
                       help="keep tone and recommendation, leave the question types out")
    types.add_argument("--agreed-types", action="store_true",
                       help="keep a question type only where the second labeller gave the same")
    args = parser.parse_args()
    folder = args.folder.resolve()
    text, kept, dropped = convert(folder, args.rubrics_dir, args.tone_only, args.agreed_types)
    out = output_path(folder, args.rubrics_dir)
    out.write_text(text, encoding="utf-8")
    load_calibration(out)  # the file must load as every calibration file does
    print(f"wrote {out}: {kept} lines, {len(dropped)} left out")


if __name__ == "__main__":
    main()
