"""Merge a LoRA adapter into a loaded model's weights, once at load.

Merged, the adapter costs nothing per token and needs no `peft` at run time: each adapted linear layer
gains (B @ A) * alpha / r. The adapter is the one `interview-sim actor train` writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from simulator.llm.base import ChatModelError


def merge_lora(model, folder: Path) -> int:
    """Add the adapter in `folder` to `model` in place; return how many layers it changed."""
    import torch
    from safetensors.torch import load_file

    try:
        config = json.loads((folder / "adapter_config.json").read_text())
        weights = load_file(str(folder / "adapter_model.safetensors"))
        scale = config["lora_alpha"] / config["r"]
    except (OSError, ValueError, KeyError) as exc:
        raise ChatModelError(f"cannot read the LoRA adapter in {folder}: {exc}") from None
    modules = dict(model.named_modules())
    merged = 0
    with torch.no_grad():
        for key, down in weights.items():
            if not key.endswith(".lora_A.weight"):
                continue
            prefix = key.removesuffix(".lora_A.weight")
            target = modules.get(prefix.removeprefix("base_model.model."))
            up = weights.get(f"{prefix}.lora_B.weight")
            if target is None or up is None:
                raise ChatModelError(f"the adapter in {folder} does not fit this model ({prefix})")
            delta = (up.float() @ down.float()) * scale
            target.weight += delta.to(target.weight.dtype)
            merged += 1
    if not merged:
        raise ChatModelError(f"the adapter in {folder} holds no LoRA weights")
    return merged
