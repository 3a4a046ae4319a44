"""`interview-sim chat` (interactive interview in the terminal) and `interview-sim replay` (scripted)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.cli import CLIError
from simulator.cli.common import add_settings_flags, settings_from_args
from simulator.engine import EngineParams, Session, Turn
from simulator.llm.base import ChatModelError
from simulator.personas import load_personas

SESSION_FLAGS = ("--model", "--voice", "--embedder", "--embedder-runtime", "--device", "--personas-dir",
                 "--rubrics-dir", "--rubric")


def register(subparsers: argparse._SubParsersAction) -> None:
    chat = subparsers.add_parser("chat", help="interview a persona in the terminal (/quit to finish)")
    chat.set_defaults(func=run_chat)
    replay = subparsers.add_parser("replay", help="replay a script of officer lines against a persona")
    replay.add_argument(
        "--script",
        required=True,
        type=Path,
        help="text file, one officer utterance per line (blank lines and # comments skipped)",
    )
    replay.add_argument("--json", action="store_true", help="print one JSON object instead of a transcript")
    replay.set_defaults(func=run_replay)
    for command in (chat, replay):
        command.add_argument(
            "--persona", required=True, help="persona id (see `interview-sim personas list`)"
        )
        command.add_argument("--seed", type=int, default=0, help="random seed for the persona's choices")
        add_settings_flags(command, *SESSION_FLAGS)


def build_session(args: argparse.Namespace) -> Session:
    from simulator.head_training import head_for
    from simulator.models import load_chat_model, load_embedder
    from simulator.rubric import load_rubrics
    from simulator.scoring import Scorer

    settings = settings_from_args(args)
    persona = load_personas(settings.personas_dir).get(args.persona)
    rubric = load_rubrics(settings.rubrics_dir).get(settings.rubric)
    try:
        embedder = load_embedder(settings)
        chat_model = load_chat_model(settings)
    except ChatModelError as exc:
        raise CLIError(str(exc)) from None
    scorer = Scorer(rubric, embedder, head_for(rubric, embedder, settings.rubrics_dir, settings.cache_dir))
    return Session(persona, scorer.for_person(persona.is_minor), chat_model, seed=args.seed,
                   embedder=embedder,
                   params=EngineParams(voice=settings.voice))


def read_script(path: Path) -> list[str]:
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except UnicodeDecodeError as exc:
        raise CLIError(f"{path}: not UTF-8 text (byte {exc.start}); save the script as UTF-8") from None
    utterances = [line for line in lines if line and not line.startswith("#")]
    if not utterances:
        raise CLIError(f"{path}: no officer lines (blank lines and lines starting with # are skipped)")
    return utterances


def feedback_line(turn: Turn, show_gauges: bool) -> str:
    verdict = turn.assessment
    parts = [
        verdict.question_type.replace("_", "-"),
        verdict.tone,
        "recommended" if verdict.recommended else "not recommended",
    ]
    line = "[" + " · ".join(parts) + "]"
    if show_gauges:
        line += f" trust {turn.trust:.2f} fear {turn.fear:.2f} ({turn.mode})"
    if verdict.suggestion and not verdict.recommended:
        line += f" Try: {verdict.suggestion}"
    return line


def run_chat(args: argparse.Namespace) -> int:
    session = build_session(args)
    persona = session.persona
    show_gauges = settings_from_args(args).show_gauges
    print(f"{persona.name}, {persona.age}, {persona.origin}. {persona.setting}")
    print(persona.opening_scene.strip())
    print("Type what you would say. /quit ends the interview and shows the summary.\n")
    print(f"{persona.name}: {session.opening()}")
    while True:
        try:
            text = input("\nYou: ")
        except EOFError:
            print()
            break
        if text.strip() == "/quit":
            break
        try:
            print(f"{persona.name}: ", end="", flush=True)
            for kind, value in session.officer_turn_stream(text):
                if kind == "text":
                    print(value, end="", flush=True)
                elif kind == "turn":
                    print("\n" + feedback_line(value, show_gauges))
        except ValueError as exc:
            print(f"\n({exc})")
    print(render_summary(session))
    return 0


def render_summary(session: Session) -> str:
    summary = session.summary()
    facts = {fact.id: fact.content for fact in session.persona.facts}
    turns = f"{summary.turns} turn" + ("" if summary.turns == 1 else "s")
    lines = [
        f"\nSummary: {turns}, {len(summary.facts_disclosed)} of {summary.facts_total} facts "
        f"disclosed, {summary.recommended_share:.0%} of your turns recommended.",
        f"Trust {summary.trust_curve[0]:.2f} -> {summary.final_trust:.2f}, "
        f"fear {summary.fear_curve[0]:.2f} -> {summary.final_fear:.2f}.",
    ]
    lines += [f"  disclosed: {facts[fact_id]}" for fact_id in summary.facts_disclosed]
    lines += [f"  missed:    {facts[fact_id]}" for fact_id in summary.facts_missed]
    if summary.contaminated_turns:
        which = ", ".join(str(index + 1) for index in summary.contaminated_turns)
        lines.append(f"  The person agreed with a leading question in turn(s) {which}: "
                     "that evidence is unreliable.")
    if summary.resisted_turns:
        which = ", ".join(str(index + 1) for index in summary.resisted_turns)
        lines.append(f"  The person resisted a leading question in turn(s) {which}: "
                     "nothing was contaminated, but it risked it.")
    return "\n".join(lines)


def replay_json(session: Session) -> dict:
    summary = session.summary()
    return {
        "persona": session.persona.id,
        "turns": [
            {
                "officer": turn.officer,
                "reply": turn.reply,
                "assessment": turn.assessment.public_dict(),
                "trust": turn.trust,
                "fear": turn.fear,
                "mode": turn.mode,
                "disclosed": turn.disclosed,
                "contaminated": turn.contaminated,
                "resisted_suggestion": "resisted_suggestion" in turn.flags,
                "guard_repairs": [r.model_dump() for r in turn.guard_repairs],
            }
            for turn in session.turns
        ],
        "summary": {
            "facts_total": summary.facts_total,
            "facts_disclosed": summary.facts_disclosed,
            "final_trust": summary.final_trust,
            "final_fear": summary.final_fear,
            "recommended_share": summary.recommended_share,
        },
    }


def run_replay(args: argparse.Namespace) -> int:
    utterances = read_script(args.script)
    session = build_session(args)
    for text in utterances:
        turn = session.officer_turn(text)
        if not args.json:
            print(f"Officer: {turn.officer}\n{session.persona.name}: {turn.reply}")
            print(f"  {feedback_line(turn, True)}")
    if args.json:
        json.dump(replay_json(session), sys.stdout, ensure_ascii=False)
        print()
    else:
        print(render_summary(session))
    return 0
