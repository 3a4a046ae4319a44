"""How far a second labeller agrees with a blind set's author, and the scorer with each of them.

Why: the scorer's targets (question type 0.95, recommended 0.95, harmful recall 0.90) only mean something
if two careful readers of the same label definitions reach them against each other. A second labeller
(a separate helper who saw only the texts, in interview order, and the definitions) labels the set; this
script scores those labels as if they were a scorer's, then the scorer against the author, against the
second labeller, and on the lines where both labellers agree.

Run: .venv/bin/python bench/label_agreement.py bench/heldout/scorer-blind12   (figures: bench/RESULTS.md)

The folder holds `utterances.jsonl` (the author's labels) and `second_labeller.jsonl` (one object per
line, in order: n, question_type, tone, recommended).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scorer_blind import figures, read_set, row, score

from simulator.cli.score import build_scorer
from simulator.labels import Assessment
from simulator.settings import Settings

LABELS = ("question_type", "tone", "recommended")


def second_labels(items: list[dict], path: Path) -> list[dict]:
    """The author's items with the second labeller's labels in place of the author's."""
    labels = read_set(path)
    if [label["n"] for label in labels] != list(range(1, len(items) + 1)):
        raise SystemExit(f"{path}: expected lines numbered 1..{len(items)}, in order")
    return [{**item, **{key: label[key] for key in LABELS}}
            for item, label in zip(items, labels, strict=True)]


def as_assessments(items: list[dict]) -> list[Assessment]:
    return [Assessment(text=item["text"], **{key: item[key] for key in LABELS}) for item in items]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path,
                        help="a blind set's folder (utterances.jsonl, second_labeller.jsonl)")
    parser.add_argument("--no-scorer", action="store_true", help="only the two labellers")
    args = parser.parse_args()
    author = read_set(args.folder / "utterances.jsonl")
    second = second_labels(author, args.folder / "second_labeller.jsonl")
    rows = {"second labeller against the author": figures(author, as_assessments(second))}
    if not args.no_scorer:
        scorer = build_scorer(Settings.load())
        said = score(scorer, author)
        agreed = [i for i, (a, b) in enumerate(zip(author, second, strict=True))
                  if all(a[key] == b[key] for key in LABELS)]
        rows |= {
            f"scorer (head {scorer.head.fingerprint if scorer.head else 'none'}) against the author":
                figures(author, said),
            "scorer against the second labeller": figures(second, said),
            "scorer on the lines both labellers label alike": figures([author[i] for i in agreed],
                                                                      [said[i] for i in agreed]),
        }
    print(f"{args.folder}\n\n| compared | n | question type macro-F1 | recommended accuracy "
          "| harmful recall (n) | harmful precision | false alarms |\n|---|---|---|---|---|---|---|")
    for name, result in rows.items():
        print(row(name, result))


if __name__ == "__main__":
    main()
