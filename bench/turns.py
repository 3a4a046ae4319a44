"""Per-turn latency of the persona engine on the embedded models, and the guard's repair rate.

    .venv/bin/python bench/turns.py [--persona lan-nail-salon] [--replays 2] [--max-turns 40] [--no-write]

Latency: one replay of tests/scripts/trauma_informed.txt, split into scoring, state, prompt, generation
(time to the first checked sentence, and total) and guard, plus "first words": from sending the officer's
text to the first streamed reply text, and the prompt tokens the backend had to prefill (the rest came from
its KV cache). Repair rate: up to --max-turns model-worded turns over the in-character probe and the hostile
script, for every shipped persona and --replays seeds. Both run for the engine's defaults and for the same
without repetition control, side by side. Writes the "## Persona engine" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from results import write_section

import simulator  # noqa: F401  (offline environment defaults)
from simulator.cli.session import read_script
from simulator.engine import EngineParams, Session
from simulator.models import load_chat_model, load_embedder
from simulator.personas import load_personas
from simulator.rubric import load_rubrics
from simulator.scoring import Scorer
from simulator.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "scripts"
SECTION = "## Persona engine"
TYPING_PAUSE_S = 1.5  # a trainee reads the reply and types; the engine prewarms the model meanwhile
STAGES = ("scoring", "state", "prompt", "first_sentence", "generation", "guard")


def timed_turn(session: Session, text: str) -> tuple[float, dict, dict]:
    """Seconds from sending to the first reply text, the backend's KV-cache figures at that moment
    (prompt tokens it had to prefill, tokens in its cache), and the finished turn."""
    started = time.perf_counter()
    first, cache = None, {}
    for kind, value in session.officer_turn_stream(text):
        if kind == "text" and first is None:
            first = time.perf_counter() - started
            model = session.chat_model
            cache = {key: getattr(model, attr) for key, attr in (("prefilled", "last_prefilled"),
                                                                   ("context", "cached_tokens"))
                     if hasattr(model, attr)}
        if kind == "turn":
            return first if first is not None else time.perf_counter() - started, cache, value
    raise RuntimeError("turn stream ended without a turn")


def latency(persona, scorer, embedder, model, params: EngineParams) -> list[dict]:
    session = Session(persona, scorer, model, seed=0, embedder=embedder, params=params)
    rows = []
    for text in read_script(SCRIPTS / "trauma_informed.txt"):
        time.sleep(TYPING_PAUSE_S)
        first_words, cache, turn = timed_turn(session, text)
        worded = not turn.disclosed
        rows.append({"first_words": first_words, "worded_by_model": worded, **(cache if worded else {}),
                     **turn.timings})
    return rows


def repair_rate(personas, scorer, embedder, model, params: EngineParams, replays: int,
                max_turns: int) -> tuple[int, int, dict, list[str]]:
    """Model-worded turns checked, turns repaired, repairs by reason, and the replies shown."""
    turns = repaired = 0
    reasons: dict[str, int] = {}
    replies: list[str] = []
    scripts = [read_script(SCRIPTS / name) for name in ("in_character_probe.txt", "hostile_leading.txt")]
    for seed in range(replays):
        for persona in personas:
            for script in scripts:
                session = Session(persona, scorer, model, seed=seed, embedder=embedder, params=params)
                for text in script:
                    if turns >= max_turns:
                        return turns, repaired, reasons, replies
                    turn = session.officer_turn(text)
                    if turn.disclosed:
                        continue  # authored words, not generated
                    turns += 1
                    repaired += bool(turn.guard_repairs)
                    replies.append(f"{persona.name}: {turn.reply}")
                    for repair in turn.guard_repairs:
                        reasons[repair.reason] = reasons.get(repair.reason, 0) + 1
    return turns, repaired, reasons, replies


def median(rows: list[dict], key: str) -> float | None:
    values = [row[key] for row in rows if key in row]
    return statistics.median(values) if values else None


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1000:.0f} ms"


def variants() -> dict[str, EngineParams]:
    """The engine's defaults (n-gram ban), with a repetition penalty added, and without either."""
    plain = EngineParams().generation.model_copy(
        update={"repetition_penalty": 1.0, "penalty_scope": "prompt", "no_repeat_ngram": 0})
    penalised = EngineParams().generation.model_copy(update={"repetition_penalty": 1.1})
    return {"defaults (4-gram ban against earlier replies, no penalty)": EngineParams(),
            "ban + reply-scoped repetition penalty 1.1": EngineParams(generation=penalised),
            "no repetition control (penalty 1.0, no n-gram ban)": EngineParams(generation=plain)}


def render(args, persona_id, results: dict, load_before, load_after) -> str:
    lines = [
        SECTION,
        "",
        f"Persona `{persona_id}`, script `tests/scripts/trauma_informed.txt`, embedder all-MiniLM-L6-v2, "
        f"chat model `{args.model}`; CPU, {os.cpu_count()} cores shared with other work, load average "
        f"{load_before:.1f} before / {load_after:.1f} after. Each variant ran in the same process, one "
        "after the other. Command:",
        "",
        f"    .venv/bin/python bench/turns.py --persona {persona_id} --replays {args.replays} "
        f"--max-turns {args.max_turns}",
        "",
        "Median per turn (\"first words\": from sending the officer's text to the first streamed reply text; "
        "\"prefilled\": prompt tokens the backend computed for the first attempt, the rest of its "
        "\"context\" came from the kept KV cache):",
        "",
        "| variant | turns | first words | scoring | state | prompt | first sentence | generation (total) "
        "| guard | prefilled / context |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, (rows, _) in results.items():
        generated = [row for row in rows if row["worded_by_model"]]
        authored = [row for row in rows if not row["worded_by_model"]]
        for label, group in (("model-worded", generated), ("authored disclosure", authored)):
            if group:
                cells = [ms(median(group, key)) for key in ("first_words", *STAGES)]
                cache = (f"{median(group, 'prefilled'):.0f} / {median(group, 'context'):.0f} tokens"
                         if median(group, "prefilled") is not None else "n/a")
                lines.append(f"| {name} | {label} ({len(group)}) | " + " | ".join(cells) + f" | {cache} |")
    lines.append("")
    for name, (rows, (turns, repaired, reasons, replies)) in results.items():
        share = repaired / turns if turns else 0.0
        listing = ", ".join(f"{reason} {count}" for reason, count in sorted(reasons.items())) or "none"
        prefills = [row["prefilled"] for row in rows if "prefilled" in row]
        lines += [
            f"**{name}** — prefilled tokens per model-worded turn of the latency script: {prefills}. "
            f"Guard: {repaired} of {turns} model-worded turns repaired ({share:.0%}) over the in-character "
            f"probe and hostile scripts, every shipped persona, {args.replays} seed(s), at most "
            f"{args.max_turns} turns. Repairs by reason: {listing}. First replies shown:",
            "",
            *[f"- {reply}" for reply in replies[:6]],
            "",
        ]
    lines += [
        "Notes: a turn that releases a fact speaks its authored words without a model call, so its first "
        "words cost only scoring and state. On a model-worded turn the first words wait for the prefill of "
        "what is new since the last call (the previous reply and this turn's message with its instruction) "
        "and for the first whole sentence, which the guard checks before showing it. The latency replay "
        f"pauses {TYPING_PAUSE_S} s before each officer line, as a trainee reading and typing would; in "
        "that pause the engine prewarms the backend's KV cache with the system voice and the history "
        "(EngineParams.prewarm), so the next turn prefills little more than the officer's new message.",
        "",
    ]
    return "\n".join(lines)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persona", default="lan-nail-salon")
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--replays", type=int, default=2, help="seeds per persona for the repair rate")
    parser.add_argument("--max-turns", type=int, default=40, help="bound on the repair-rate turns")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()

    settings = Settings.load({"chat_model": args.model})
    personas = load_personas(settings.personas_dir)
    embedder = load_embedder(settings)
    scorer = Scorer(load_rubrics(settings.rubrics_dir).get(settings.rubric), embedder)
    model = load_chat_model(settings)
    load_before = os.getloadavg()[0]
    results = {}
    for name, params in variants().items():
        rows = latency(personas.get(args.persona), scorer, embedder, model, params)
        results[name] = rows, repair_rate(list(personas), scorer, embedder, model, params, args.replays,
                                          args.max_turns)
    section = render(args, args.persona, results, load_before, os.getloadavg()[0])
    print(section)
    if not args.no_write:
        write_section(SECTION, section)


if __name__ == "__main__":
    main()
