"""Which dtype a local model runs in: chosen by measuring this machine, not by a CPU flag.

bfloat16 halves the bytes a memory-bound decode step reads, but whether it is faster depends on the
CPU: measured in bench/generation.py, one AVX512-BF16 Xeon decoded 1.5x faster in bf16, another with
AMX 7 % slower than in float32. So `dtype="auto"` on a CPU with native bf16 runs a short probe (a few
decode steps in each dtype, alternating, best of three; and teacher-forced agreement of next-token
choices with float32) and keeps bfloat16 only when it is both clearly faster and faithful. The verdict
is cached beside the model, keyed by CPU, torch version and thread count, so the probe runs once.
CPUs that only emulate bf16 get float32 without a probe; CUDA gets bf16 where supported.
"""

from __future__ import annotations

import json
import logging
import platform
import time
from pathlib import Path

from simulator import atomic

log = logging.getLogger(__name__)

PROBE_FILE = "dtype-probe.json"
MIN_SPEEDUP = 1.1  # bf16 must decode at least this much faster than float32 to be chosen
MIN_AGREEMENT = 0.9  # and agree with float32 on this share of teacher-forced next-token choices
PROBE_TEXT = ("The officer asked where she lived, and she said she shared a small room above the shop "
              "with four other women who worked there too. She was tired and wanted to go home. ") * 2


def bf16_is_native(device) -> bool:
    """Whether the device computes bfloat16 in hardware (else bf16 is emulated and slow)."""
    import torch

    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    # mkldnn's own check also passes on AVX512 CPUs without bf16 instructions, which emulate it.
    native = getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)()
    return bool(native and torch.backends.mkldnn.is_available()
                and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def machine_key() -> str:
    """What the verdict depends on: the CPU model, torch's version and its thread count."""
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu} | torch {torch.__version__} | {torch.get_num_threads()} threads"


def decide(speedup: float, agreement: float) -> str:
    """The verdict of a probe: bfloat16 only when clearly faster and faithful."""
    return "bfloat16" if speedup >= MIN_SPEEDUP and agreement >= MIN_AGREEMENT else "float32"


def choose_cpu_dtype(model, tokenizer, folder: Path | None) -> str:
    """The dtype to run `model` (loaded in float32) in on this CPU; cached in `folder` when writable."""
    import torch

    if not bf16_is_native(torch.device("cpu")):
        return "float32"
    key = machine_key()
    cache = Path(folder) / PROBE_FILE if folder is not None else None
    try:
        cached = json.loads(cache.read_text()) if cache is not None and cache.is_file() else {}
    except (OSError, ValueError):
        cached = {}
    if cached.get("machine") == key and cached.get("dtype") in ("float32", "bfloat16"):
        return cached["dtype"]
    speedup, agreement = probe(model, tokenizer)
    dtype = decide(speedup, agreement)
    log.info("dtype probe on %s: bf16 %.2fx float32's decode speed, %.0f%% agreement -> %s",
             key, speedup, agreement * 100, dtype)
    if cache is not None:
        try:
            found = {"machine": key, "dtype": dtype, "bf16_speedup": round(speedup, 3),
                     "agreement": round(agreement, 3)}
            atomic.write_text(cache, json.dumps(found, indent=1))
        except OSError:
            pass  # a read-only model folder: probe again next time
    return dtype


def probe(model, tokenizer, steps: int = 12, rounds: int = 3) -> tuple[float, float]:
    """(bf16 decode speed / float32's, share of next-token choices bf16 shares with float32)."""
    import copy

    import torch

    ids = torch.tensor([tokenizer.encode(PROBE_TEXT)], dtype=torch.long)
    half = copy.deepcopy(model).to(torch.bfloat16)
    with torch.inference_mode():
        full = model(input_ids=ids).logits[0].argmax(-1)
        agreement = float((half(input_ids=ids).logits[0].argmax(-1) == full).float().mean())
        best = {"float32": float("inf"), "bfloat16": float("inf")}
        for _ in range(rounds):
            for name, candidate in (("float32", model), ("bfloat16", half)):
                best[name] = min(best[name], _decode_seconds(candidate, ids, steps))
    del half
    return best["float32"] / best["bfloat16"], agreement


def _decode_seconds(model, ids, steps: int) -> float:
    """Seconds for `steps` one-token forwards after a prefill of `ids`, as a reply's decode runs."""
    import torch
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)
    out = model(input_ids=ids, cache=cache, use_cache=True, logits_to_keep=1)
    token = out.logits[:, -1:].argmax(-1)
    start = time.perf_counter()
    for _ in range(steps):
        out = model(input_ids=token, cache=cache, use_cache=True, logits_to_keep=1)
        token = out.logits[:, -1:].argmax(-1).to(torch.long)
    return time.perf_counter() - start
