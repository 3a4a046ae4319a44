"""Per-turn latency of the persona engine on the embedded models, and the guard's repair rate.

    .venv/bin/python bench/turns.py [--persona lan-nail-salon] [--replays 2] [--max-turns 40] [--no-write]

Latency: one replay of tests/scripts/trauma_informed.txt, split into scoring, state, prompt, generation
(time to the first checked sentence, and total) and guard, plus "first words": from sending the officer's
text to the first streamed reply text. Repair rate: up to --max-turns model-worded turns over the in-character
probe and the hostile script, for every shipped persona and --replays seeds. Writes the "## Persona engine"
section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import simulator  # noqa: F401  (offline environment defaults)
from simulator.cli.session import read_script
from simulator.engine import Session
from simulator.models import load_chat_model, load_embedder
from simulator.personas import load_personas
from simulator.rubric import load_rubrics
from simulator.scoring import Scorer
from simulator.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SCRIPTS = ROOT / "tests" / "scripts"
SECTION = "## Persona engine"
STAGES = ("scoring", "state", "prompt", "first_sentence", "generation", "guard")


def timed_turn(session: Session, text: str) -> tuple[float, dict]:
    """Seconds from sending to the first reply text, and the finished turn."""
    started = time.perf_counter()
    first = None
    for kind, value in session.officer_turn_stream(text):
        if kind == "text" and first is None:
            first = time.perf_counter() - started
        if kind == "turn":
            return first if first is not None else time.perf_counter() - started, value
    raise RuntimeError("turn stream ended without a turn")


def latency(persona, scorer, embedder, model) -> list[dict]:
    session = Session(persona, scorer, model, seed=0, embedder=embedder)
    rows = []
    for text in read_script(SCRIPTS / "trauma_informed.txt"):
        first_words, turn = timed_turn(session, text)
        rows.append({"first_words": first_words, "worded_by_model": not turn.disclosed, **turn.timings})
    return rows


def repair_rate(personas, scorer, embedder, model, replays: int, max_turns: int) -> tuple[int, int, dict]:
    """Model-worded turns checked, turns repaired, and repairs by reason."""
    turns = repaired = 0
    reasons: dict[str, int] = {}
    scripts = [read_script(SCRIPTS / name) for name in ("in_character_probe.txt", "hostile_leading.txt")]
    for seed in range(replays):
        for persona in personas:
            for script in scripts:
                session = Session(persona, scorer, model, seed=seed, embedder=embedder)
                for text in script:
                    if turns >= max_turns:
                        return turns, repaired, reasons
                    turn = session.officer_turn(text)
                    if turn.disclosed:
                        continue  # authored words, not generated
                    turns += 1
                    repaired += bool(turn.guard_repairs)
                    for repair in turn.guard_repairs:
                        reasons[repair.reason] = reasons.get(repair.reason, 0) + 1
    return turns, repaired, reasons


def median(rows: list[dict], key: str) -> float | None:
    values = [row[key] for row in rows if key in row]
    return statistics.median(values) if values else None


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1000:.0f} ms"


def render(args, persona_id, rows, rate, load_before, load_after) -> str:
    turns, repaired, reasons = rate
    generated = [row for row in rows if row["worded_by_model"]]
    authored = [row for row in rows if not row["worded_by_model"]]
    lines = [
        SECTION,
        "",
        f"Persona `{persona_id}`, script `tests/scripts/trauma_informed.txt` ({len(rows)} turns: "
        f"{len(authored)} released a fact in its authored words, {len(generated)} were worded by "
        f"`{args.model}`); embedder all-MiniLM-L6-v2; CPU, {os.cpu_count()} cores shared with other work, "
        f"load average {load_before:.1f} before / {load_after:.1f} after. Command:",
        "",
        f"    .venv/bin/python bench/turns.py --persona {persona_id} --replays {args.replays} "
        f"--max-turns {args.max_turns}",
        "",
        "Median per turn:",
        "",
        "| turns | first words | scoring | state | prompt | first sentence | generation (total) | guard |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, group in (("model-worded", generated), ("authored disclosure", authored), ("all", rows)):
        if group:
            cells = [ms(median(group, key)) for key in ("first_words", *STAGES)]
            lines.append(f"| {label} ({len(group)}) | " + " | ".join(cells) + " |")
    share = repaired / turns if turns else 0.0
    listing = ", ".join(f"{reason} {count}" for reason, count in sorted(reasons.items())) or "none"
    lines += [
        "",
        f"Guard: {repaired} of {turns} model-worded turns repaired ({share:.0%}) over the in-character probe "
        f"and hostile scripts, every shipped persona, {args.replays} seed(s), at most {args.max_turns} "
        f"turns. Repairs by reason: {listing}.",
        "",
        "Notes: a turn that releases a fact speaks its authored words without a model call, so its first "
        "words cost only scoring and state. On a model-worded turn the first words wait for the prompt "
        "prefill and the first whole sentence, which the guard must check before showing it. When the "
        "guard stops a reply early it closes the model's stream, and the transformers backend then drops "
        "its KV cache, so the next turn prefills the whole prompt again.",
        "",
    ]
    return "\n".join(lines)


def write_section(section: str) -> None:
    """Replace (or add) this benchmark's section, keeping the other sections as they are."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    start = text.find(SECTION)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("" if end < 0 else text[end:])
    RESULTS.write_text(text, encoding="utf-8")


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
    rows = latency(personas.get(args.persona), scorer, embedder, model)
    rate = repair_rate(list(personas), scorer, embedder, model, args.replays, args.max_turns)
    section = render(args, args.persona, rows, rate, load_before, os.getloadavg()[0])
    print(section)
    if not args.no_write:
        write_section(section)


if __name__ == "__main__":
    main()
