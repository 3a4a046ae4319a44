"""MiniLM with LoRA adapters tuned on touch pairs: the touch model's second view of an officer's line.

Why: the learned touch model over MiniLM's similarities topped out near recall 0.80 on new authors,
missing lines that name a topic by a consequence or an uncommon word ("in hock", "had a row"). Tuning
the encoder on the labelled lines moves a line towards the facts it touches and away from those it only
shares words with. Trained on the touch sets up to the fourth and scored on the fifth and sixth, recall at
precision 0.95 rose from 0.83 (frozen features) to 0.91 (frozen and tuned features side by side)
(bench/RESULTS.md, "Touching").

As for the scorer's tuned encoder (simulator.tuned_encoder, whose loading this reuses), two adapters are
trained on the two halves of the lines, so that each training line's features come from the adapter
that never saw it; new lines use adapter "a". Adapters are stored in float16 (1.3 MB each).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from simulator.embeddings import Embedder
from simulator.personas import Fact, Persona
from simulator.tuned_encoder import TunedEncoder, lora_model, save_adapter, train_halves

log = logging.getLogger(__name__)

EPOCHS = 3
BATCH = 24  # lines of one persona per step, with the views of all its facts
LEARNING_RATE = 3e-4


def views(fact: Fact) -> list[str]:
    """The fact's topic label, content and disclosure: what a line about it should come close to."""
    return [fact.topic or fact.cues[0], fact.content, fact.disclosure]


def train_touch_encoder(rows: list, personas: dict[str, Persona], embedder: Embedder, folder: Path,
                        seed: int = 0) -> TunedEncoder:
    """Train adapters "a" and "b" on the two halves of `rows` (labelled lines: persona, fact, text,
    touches) and write them with their metadata into `folder`. Seeded; needs peft."""
    def train_half(part: list, base: Path, out: Path, half_seed: int) -> None:
        _train_half(part, personas, base, out, half_seed)

    return train_halves(rows, embedder, folder, seed, train_half, {"epochs": EPOCHS, "purpose": "touch"})


def _train_half(rows: list, personas: dict[str, Persona], base: Path, out: Path, seed: int) -> None:
    """Per step, the lines of one persona and the views of all its facts: a line that touches its fact
    must be closer to it than to the persona's other facts (cross-entropy over the facts), and any line
    must be close to its fact exactly when it touches it (a logistic loss on the mean view similarity)."""
    import torch

    model, adapted = lora_model(base, seed)
    rng = np.random.default_rng(seed)
    scale = torch.nn.Parameter(torch.tensor(20.0))
    bias = torch.nn.Parameter(torch.tensor(0.35))
    trainable = [p for p in model.parameters() if p.requires_grad] + [scale, bias]
    optimiser = torch.optim.AdamW(trainable, lr=LEARNING_RATE, weight_decay=0.01)
    by_persona: dict[str, list] = {}
    for row in rows:
        by_persona.setdefault(row.persona, []).append(row)

    def encode(texts: list[str]) -> torch.Tensor:
        return torch.nn.functional.normalize(model(model.preprocess(texts))["sentence_embedding"], dim=-1)

    model.train()
    for epoch in range(EPOCHS):
        steps = []
        for persona_id in sorted(by_persona):
            lines = by_persona[persona_id]
            order = rng.permutation(len(lines))
            steps += [(persona_id, [lines[i] for i in order[start:start + BATCH]])
                      for start in range(0, len(order), BATCH)]
        for index in rng.permutation(len(steps)):
            persona_id, batch = steps[index]
            facts = personas[persona_id].facts
            ids = [fact.id for fact in facts]
            anchors = encode([text for fact in facts for text in views(fact)]).reshape(len(facts), 3, -1)
            lines = encode([row.text for row in batch])
            similarity = torch.einsum("fvd,ld->lf", anchors, lines) / 3  # mean over the three views
            target = torch.tensor([ids.index(row.fact) for row in batch])
            touches = torch.tensor([float(row.touches) for row in batch])
            own = similarity[torch.arange(len(batch)), target]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(scale * (own - bias), touches)
            if touches.any():
                positive = touches.bool()
                closest = torch.nn.functional.cross_entropy(scale * similarity[positive], target[positive])
                loss = loss + closest
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        log.info("touch encoder %s: epoch %d of %d", out.name, epoch + 1, EPOCHS)
    save_adapter(adapted, out)
    _to_float16(out / "adapter_model.safetensors")


def _to_float16(path: Path) -> None:
    """Halve the stored adapter: its float16 rounding is far below what the touch model can see, and the
    model is trained on features computed through the stored weights."""
    from safetensors.torch import load_file, save_file

    tensors = {name: tensor.half() for name, tensor in load_file(str(path)).items()}
    save_file(tensors, str(path))
