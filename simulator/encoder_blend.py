"""Weight-space blending of two tuned encoders (WiSE-FT): each LoRA update becomes
`weight * tuned + (1 - weight) * anchor`, stored exactly as one adapter of the two ranks together.

Why: retuning the encoder on new tone labels caught more harmful lines on fresh blind sets but moved
counselling questions (AnnoMI balanced accuracy below its floor); part of the step keeps part of the gain
while staying nearer the encoder whose question types were checked (bench/RESULTS.md). Concatenating the
low-rank factors (A rows stacked, B columns scaled and placed side by side) gives the blended update with
no approximation: [w B_t | (1-w) B_o] @ [A_t ; A_o] = w B_t A_t + (1-w) B_o A_o.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from simulator.tuned_encoder import ADAPTER, CONFIG, HALVES, META, encoder_digest


def blend_tensors(tuned: dict, anchor: dict, weight: float) -> dict:
    """The blended adapter's tensors: A factors stacked (tuned first), B factors weighted side by side."""
    if set(tuned) != set(anchor):
        raise ValueError("the two adapters adapt different modules; only encoders of one base model blend")
    import torch

    blended = {}
    for key in tuned:
        if ".lora_A." in key:
            blended[key] = torch.cat([tuned[key], anchor[key]], dim=0).contiguous()
        else:
            blended[key] = torch.cat([weight * tuned[key], (1 - weight) * anchor[key]], dim=1).contiguous()
    return blended


def blend_encoders(tuned: Path, anchor: Path, out: Path, weight: float) -> dict:
    """Write into `out` (replaced) the blend of the encoders in `tuned` and `anchor`; returns its metadata.
    `out` may be `anchor` itself: both are read before anything is written."""
    from safetensors.torch import load_file, save_file

    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"blend weight must lie in [0, 1], got {weight}")
    tuned, anchor, out = Path(tuned), Path(anchor), Path(out)
    metas = {}
    for role, folder in (("tuned", tuned), ("anchor", anchor)):
        if not (folder / META).is_file():
            raise ValueError(f"{role} encoder: no {META} in {folder}")
        metas[role] = json.loads((folder / META).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.is_dir() else None) as scratch:
        staged = Path(scratch) / "blend"
        for half in HALVES:
            configs = [json.loads((f / half / CONFIG).read_text(encoding="utf-8")) for f in (tuned, anchor)]
            scales = [c["lora_alpha"] / c["r"] for c in configs]
            if scales[0] != scales[1]:
                raise ValueError(f"adapter {half!r}: scales differ ({scales[0]} vs {scales[1]})")
            tensors = blend_tensors(load_file(str(tuned / half / ADAPTER)),
                                    load_file(str(anchor / half / ADAPTER)), weight)
            (staged / half).mkdir(parents=True)
            save_file(tensors, str(staged / half / ADAPTER))
            config = dict(configs[0], r=configs[0]["r"] + configs[1]["r"],
                          lora_alpha=configs[0]["lora_alpha"] + configs[1]["lora_alpha"])
            (staged / half / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n",
                                                encoding="utf-8")
        seen = sorted(set(metas["tuned"]["seen_by_a"]) | set(metas["anchor"]["seen_by_a"]))
        meta = dict(metas["tuned"], digest=encoder_digest(staged, seen), seen_by_a=seen,
                    rank=metas["tuned"]["rank"] + metas["anchor"]["rank"],
                    blend={"weight": weight, "tuned": metas["tuned"]["digest"],
                           "anchor": metas["anchor"]["digest"]})
        (staged / META).write_text(json.dumps(meta, sort_keys=True) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        shutil.move(str(staged), str(out))
    return meta
