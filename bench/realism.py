"""Is every reply believable? Held-out personas and scripts, four voices side by side, rated blind.

    .venv/bin/python bench/realism.py run [--seed 0]          # replies + automatic checks + blind packet
    .venv/bin/python bench/realism.py deal --out DIR          # one packet per reviewer, balanced by voice
    .venv/bin/python bench/realism.py score RATINGS.json ...  # blind ratings + the key -> RESULTS.md

The material in bench/realism/heldout*/ (personas and a skilled and a hostile script each,
chosen with --set) was written, each set by its own separate author, who saw neither the actor corpus,
the guard nor the prompts. `run` replays every script through the engine in each voice, on the embedded
models, in one process:
- prompt: the earlier default (role prompt + the mood's instruction, base SmolLM2);
- authored (the default): the reply plan spoken from authored lines only (an answer to the officer's
  act, topic evasions, lines made from the topic's name, the mood's lines, generic lines by aim);
- actor: the distilled actor (SmolLM2 + LoRA) words every reply that tells no fact, from the plan;
- planned: the plan, spoken from an authored line written for the touched topic when there is one, else
  by the actor.
It writes the transcripts with automatic checks (exact and near repeats within a session, unfinished
sentences, third-person self-reference, officer or AI voice, time to first words of model-worded turns),
and a blind packet: every transcript under an opaque label, in shuffled order, for a reviewer who rates
each reply 0 (broken), 1 (passable but generic or off-topic) or 2 (convincing). The key stays apart.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
from pathlib import Path

from results import write_section

import simulator  # noqa: F401  (offline environment defaults)
from simulator.actor.lines import normal
from simulator.cli.session import read_script
from simulator.engine import EngineParams, Session
from simulator.models import load_chat_model, load_embedder
from simulator.personas import load_persona
from simulator.rubric import load_rubrics
from simulator.scoring import Scorer
from simulator.settings import Settings

HERE = Path(__file__).resolve().parent / "realism"
OUT = HERE / "runs"
SETS = {  # each written by its own separate author; the first one has since been looked at (see RESULTS)
    "heldout": "## Realism (held-out personas, blind review)",
    "heldout2": "## Realism, second held-out set (blind review)",
    "heldout3": "## Realism, third held-out set (blind review)",
    "heldout4": "## Realism, fourth held-out set (blind review)",
}
BASE_MODEL, ACTOR_MODEL = "smollm2-135m-instruct", "smollm2-135m-actor"
SYSTEMS = {"prompt": BASE_MODEL, "authored": BASE_MODEL, "actor": ACTOR_MODEL, "planned": ACTOR_MODEL}
AI_OR_OFFICER = re.compile(r"\b(as an ai|language model|assistant|chatbot|i('m| am) (a |an |the )?"
                           r"(police|officer|detective|cop)|how can i help)\b", re.IGNORECASE)


def sentence_complete(text: str) -> bool:
    return bool(re.search(r"([.!?…。]|\.\.\.)[\"'”’)\]]*$", text.strip()))


def overlap(pairs: set, earlier: str) -> float:
    """Share of word pairs two lines have in common (of all the pairs either has)."""
    words = earlier.split()
    theirs = set(zip(words, words[1:], strict=False))
    return len(pairs & theirs) / max(len(pairs | theirs), 1)


def checks(persona, turns: list[dict]) -> None:
    """Automatic checks, independent of the guard's own rules, added to each turn in place."""
    said: list[str] = [normal(persona.first_line)]
    names = [n for n in persona.name.split() if len(n) >= 3]
    for turn in turns:
        reply = turn["reply"]
        words = normal(reply).split()
        pairs = set(zip(words, words[1:], strict=False))
        turn["exact_repeat"] = normal(reply) in said
        turn["near_repeat"] = len(pairs) >= 3 and any(overlap(pairs, e) >= 0.6 for e in said)
        turn["unfinished"] = not sentence_complete(reply)
        turn["third_person"] = any(re.search(rf"\b{re.escape(n)}\b", reply) for n in names) and \
            "name" not in turn["officer"].lower()
        turn["ai_or_officer"] = bool(AI_OR_OFFICER.search(reply))
        said.append(normal(reply))


def replay(persona, script: list[str], system: str, scorer, embedder, model, seed: int) -> list[dict]:
    session = Session(persona, scorer, model, seed=seed, embedder=embedder, params=EngineParams(voice=system))
    turns = []
    for text in script:
        turn = session.officer_turn(text)
        session.wait_for_prewarm()
        turns.append({"officer": turn.officer, "reply": turn.reply, "mode": turn.mode,
                      "aim": turn.plan.aim if turn.plan else None, "voiced_by": turn.voiced_by,
                      "disclosed": turn.disclosed, "repairs": [r.reason for r in turn.guard_repairs],
                      "first_words_s": turn.timings.get("first_sentence")})
    checks(persona, turns)
    return turns


def run(args) -> int:
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    settings = Settings.load()
    embedder = load_embedder(settings)
    scorer = Scorer(load_rubrics(settings.rubrics_dir).get(settings.rubric), embedder)
    models = {}
    for name in sorted(set(SYSTEMS.values())):
        settings.chat_model = name
        models[name] = load_chat_model(settings)
    held_out = HERE / args.set
    personas = [load_persona(p) for p in sorted((held_out / "personas").glob("*.yaml"))]
    transcripts = []
    for persona in personas:
        for style in ("skilled", "hostile"):
            script = read_script(next((held_out / "scripts").glob(f"{persona.id}[.-]{style}.txt")))
            for system, model_name in SYSTEMS.items():
                turns = replay(persona, script, system, scorer, embedder, models[model_name], args.seed)
                transcripts.append({"persona": persona.id, "script": style, "system": system, "turns": turns})
                print(f"{persona.id} {style} {system}: " + " | ".join(t["reply"][:40] for t in turns[:3]),
                      file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = stamp_for(args)
    (OUT / f"transcripts-{stamp}.json").write_text(json.dumps(transcripts, indent=1, ensure_ascii=False))
    rng = random.Random(f"blind-{args.seed}")
    order = list(range(len(transcripts)))
    rng.shuffle(order)
    key, packet = {}, []
    for position, index in enumerate(order):
        label = f"T{position + 1:02d}"
        item = transcripts[index]
        key[label] = item["system"]
        persona = next(p for p in personas if p.id == item["persona"])
        card = {**persona.card(), "speech": persona.speech_style.language_register}
        packet.append({"transcript": label, "persona": card,
                       "opening_line": persona.first_line,
                       "turns": [{"n": n + 1, "officer": t["officer"], "reply": t["reply"]}
                                 for n, t in enumerate(item["turns"])]})
    (OUT / f"blind-packet-{stamp}.json").write_text(json.dumps(packet, indent=1, ensure_ascii=False))
    (OUT / f"blind-key-{stamp}.json").write_text(json.dumps(key, indent=1))
    print(f"wrote {OUT}/transcripts-{stamp}.json, blind-packet-{stamp}.json and blind-key-{stamp}.json")
    return 0


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "n/a"


def deal(args) -> int:
    """Split the blind packet between reviewers so each gets the same number of transcripts of every voice
    (a generous reviewer then lifts every voice alike)."""
    stamp = stamp_for(args)
    items = json.loads((OUT / f"blind-packet-{stamp}.json").read_text())
    packet = {item["transcript"]: item for item in items}
    key = json.loads((OUT / f"blind-key-{stamp}.json").read_text())
    rng = random.Random(f"deal-{args.set}")
    hands: dict[int, list[str]] = {n: [] for n in range(1, args.reviewers + 1)}
    for system in sorted(set(key.values())):
        labels = sorted(label for label, voice in key.items() if voice == system)
        rng.shuffle(labels)
        for n, label in enumerate(labels):
            hands[n % args.reviewers + 1].append(label)
    args.out.mkdir(parents=True, exist_ok=True)
    for n, labels in hands.items():
        (args.out / f"packet-{n}.json").write_text(
            json.dumps([packet[label] for label in sorted(labels)], indent=1, ensure_ascii=False))
    (OUT / f"deal-{args.set}.json").write_text(json.dumps({n: sorted(h) for n, h in hands.items()}))
    print(f"wrote {args.reviewers} packets to {args.out}; give each reviewer one, never the key")
    return 0


def stamp_for(args) -> str:
    return f"seed{args.seed}" if args.set == "heldout" else f"{args.set}-seed{args.seed}"


def score(args) -> int:
    stamp = stamp_for(args)
    transcripts = json.loads((OUT / f"transcripts-{stamp}.json").read_text())
    key = json.loads((OUT / f"blind-key-{stamp}.json").read_text())
    ratings: dict[str, dict[str, int]] = {}
    for path in args.ratings:
        for label, turns in json.loads(Path(path).read_text()).items():
            ratings[label] = {str(n): int(v["rating"] if isinstance(v, dict) else v)
                              for n, v in turns.items()}
    rng = random.Random(f"blind-{args.seed}")
    positions = list(range(len(transcripts)))
    rng.shuffle(positions)
    rows = []
    for position, index in enumerate(positions):
        label = f"T{position + 1:02d}"
        item = transcripts[index]
        if key[label] != item["system"]:
            raise SystemExit(f"the key does not match transcripts-{stamp}.json: rerun `run`")
        for n, turn in enumerate(item["turns"], start=1):
            rating = ratings.get(label, {}).get(str(n))
            rows.append({**turn, "system": item["system"], "script": item["script"], "rating": rating})
    missing = sum(r["rating"] is None for r in rows)
    section_title = SETS[args.set]
    lines = [section_title, "",
             "Held-out material: 4 personas and a skilled and a hostile 10-turn script each, written by a "
             "separate author who saw neither the actor corpus, the guard nor the prompts "
             f"(bench/realism/{args.set}/). "
             "Every reply rated blind by a reviewer who saw only shuffled, opaquely labelled transcripts: "
             "0 broken, 1 passable but generic or off-topic, 2 convincing. Commands:", "",
             f"    .venv/bin/python bench/realism.py run --set {args.set} --seed {args.seed}",
             f"    .venv/bin/python bench/realism.py score --set {args.set} --seed {args.seed} "
             "RATINGS.json...",
             "",
             "| voice | rated 2 | rated 0 | model-written rated 2 | model-written | exact repeats "
             "| near repeats | unfinished | third person | AI/officer voice | first words, model turns |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for system in SYSTEMS:
        mine = [r for r in rows if r["system"] == system]
        rated = [r for r in mine if r["rating"] is not None]
        model = [r for r in rated if r["voiced_by"] == "model"]
        waits = [r["first_words_s"] for r in mine if r["voiced_by"] == "model" and r["first_words_s"]]
        wait = f"{statistics.median(waits):.2f} s" if waits else "n/a"
        lines.append(
            f"| {system} | {share(sum(r['rating'] == 2 for r in rated), len(rated))} | "
            f"{share(sum(r['rating'] == 0 for r in rated), len(rated))} | "
            f"{share(sum(r['rating'] == 2 for r in model), len(model))} | {len(model)}/{len(mine)} | "
            f"{sum(r['exact_repeat'] for r in mine)} | {sum(r['near_repeat'] for r in mine)} | "
            f"{sum(r['unfinished'] for r in mine)} | {sum(r['third_person'] for r in mine)} | "
            f"{sum(r['ai_or_officer'] for r in mine)} | {wait} |")
    if missing:
        lines += ["", f"{missing} replies were not rated."]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        write_section(section_title, section)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    running = sub.add_parser("run")
    running.add_argument("--seed", type=int, default=0)
    running.add_argument("--set", choices=SETS, default="heldout", help="which held-out material")
    running.add_argument("--threads", type=int, default=None,
                         help="torch threads (1 on a machine another heavy process shares)")
    running.set_defaults(func=run)
    dealing = sub.add_parser("deal", help="split the blind packet between reviewers, balanced by voice")
    dealing.add_argument("--set", choices=SETS, default="heldout")
    dealing.add_argument("--seed", type=int, default=0)
    dealing.add_argument("--reviewers", type=int, default=4)
    dealing.add_argument("--out", type=Path, required=True, help="a folder outside the repository")
    dealing.set_defaults(func=deal)
    scoring = sub.add_parser("score")
    scoring.add_argument("ratings", nargs="+")
    scoring.add_argument("--seed", type=int, default=0)
    scoring.add_argument("--set", choices=SETS, default="heldout")
    scoring.add_argument("--no-write", action="store_true")
    scoring.set_defaults(func=score)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
