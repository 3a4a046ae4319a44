"""Touching: precision and recall of the topic rule (simulator/touching.py) on labelled officer lines.

Each line of FILE is {"persona", "fact", "text", "touches"}: does `text` touch that persona's `fact`?
The decision runs as the engine runs it: the persona's shipped keywords and cues, the embedded MiniLM, the
shipped learned touch model (simulator/touch_models/), or with --rule the hand-set thresholds instead.

Run: .venv/bin/python bench/touching.py FILE [--rule] [--errors]
(figures go into bench/RESULTS.md, "## Touching")
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from simulator.models import load_embedder
from simulator.personas import load_personas
from simulator.settings import Settings
from simulator.touch_model import model_path
from simulator.touching import TopicIndex


class Counts:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.tn = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    def row(self, name: str) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        total = self.tp + self.fp + self.fn + self.tn
        return (f"| {name} | {total} | {self.tp + self.fn} | {self.tp} | {self.fp} | {self.fn} | "
                f"{precision:.3f} | {recall:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--rule", action="store_true", help="the thresholds instead of the learned model")
    parser.add_argument("--errors", action="store_true", help="also list the lines the rule got wrong")
    args = parser.parse_args()
    settings = Settings.load()
    personas = {persona.id: persona for persona in load_personas(settings.personas_dir)}
    embedder = load_embedder(settings)
    indexes = {persona_id: TopicIndex(persona.facts, embedder, learned=not args.rule)
               for persona_id, persona in personas.items()}
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    per_persona: dict[str, Counts] = defaultdict(Counts)
    overall = Counts()
    errors = []
    seconds = []
    for row in rows:
        ids = [fact.id for fact in personas[row["persona"]].facts]
        start = time.perf_counter()
        predicted = bool(indexes[row["persona"]].scores(row["text"])[ids.index(row["fact"])] > 0)
        seconds.append(time.perf_counter() - start)
        per_persona[row["persona"]].add(predicted, row["touches"])
        overall.add(predicted, row["touches"])
        if predicted != row["touches"]:
            kind = "missed" if row["touches"] else "false touch"
            errors.append(f"{kind}: {row['persona']} / {row['fact']}: {row['text']}")
    model = next(iter(indexes.values())).model
    decider = "thresholds" if model is None else f"learned model {model_path(embedder.name).name}" + (
        f" with touch encoder {model.encoder}" if model.encoder else "")
    facts = len({(r["persona"], r["fact"]) for r in rows})
    print(f"{args.file}: {len(rows)} lines, {facts} facts; {decider}; median "
          f"{statistics.median(seconds) * 1000:.1f} ms per line (embedding the line included)")
    print("| persona | lines | touching | true touch | false touch | missed | precision | recall |")
    print("|---|---|---|---|---|---|---|---|")
    for persona_id in sorted(per_persona):
        print(per_persona[persona_id].row(persona_id))
    print(overall.row("**all**"))
    if args.errors:
        print("\n".join(["", *errors]))


if __name__ == "__main__":
    main()
