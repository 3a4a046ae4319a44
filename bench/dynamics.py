"""Persona dynamics: every shipped persona replayed on the kind, hostile and repair scripts of the tests.

Facts told within 12 turns of each kind script, the hostile script's facts and modes after its second
turn, trust before and after the repair, and whether any two personas share a trust curve. Real scorer
and MiniLM, the authored voice (no chat model), seed 0.

Run: .venv/bin/python bench/dynamics.py   (figures go into bench/RESULTS.md, "## Touching")
"""

from __future__ import annotations

from pathlib import Path

from simulator.cli.session import read_script
from simulator.engine import Session
from simulator.llm.fake import FakeChatModel
from simulator.models import load_embedder
from simulator.personas import load_personas
from simulator.rubric import load_rubrics
from simulator.scoring import Scorer
from simulator.settings import Settings

SCRIPTS = Path(__file__).resolve().parent.parent / "tests" / "scripts"
KIND = ("trauma_informed.txt", "trauma_informed_people.txt")
HOSTILE_TURNS = 3  # hostile lines at the start of hostile_then_repair.txt


def main() -> None:
    settings = Settings.load()
    embedder = load_embedder(settings)
    scorer = Scorer(load_rubrics(settings.rubrics_dir).get("default"), embedder)

    def replay(persona, script: str) -> Session:
        session = Session(persona, scorer, FakeChatModel(), seed=0, embedder=embedder)
        for line in read_script(SCRIPTS / script):
            session.officer_turn(line)
        return session

    print("| persona | facts in 12 turns, script A / B | hostile script: facts, modes after turn 2 | "
          "repair script: trust after 3 hostile turns -> after 4 repairs |")
    print("|---|---|---|---|")
    curves = set()
    personas = list(load_personas(settings.personas_dir))
    for persona in personas:
        told = [len({f for turn in replay(persona, script).turns[:12] for f in turn.disclosed})
                for script in KIND]
        hostile = replay(persona, "hostile_leading.txt").summary()
        trust = replay(persona, "hostile_then_repair.txt").summary().trust_curve
        curves.add(tuple(replay(persona, KIND[0]).summary().trust_curve))
        total = len(persona.facts)
        modes = ", ".join(sorted(set(hostile.modes[2:])))
        print(f"| {persona.id} | {told[0]}/{total} / {told[1]}/{total} | {len(hostile.facts_disclosed)}, "
              f"[{modes}] | {trust[HOSTILE_TURNS]:.2f} -> {trust[-1]:.2f} |")
    print(f"\nDistinct trust curves on script A: {len(curves)} of {len(personas)}")


if __name__ == "__main__":
    main()
