"""`interview-sim score [FILE|-]`: label officer utterances, one per line, with the rubric scorer."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.cli import CLIError
from simulator.cli.common import add_settings_flags, settings_from_args
from simulator.embeddings import Embedder
from simulator.head_training import head_for
from simulator.labels import Assessment
from simulator.models import load_embedder
from simulator.rubric import Rubric, load_rubrics
from simulator.scoring import Scorer
from simulator.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="label officer utterances (one per line) with the rubric")
    parser.add_argument("file", nargs="?", default="-", metavar="FILE",
                        help="UTF-8 text file, one utterance per line; '-' or nothing for standard input")
    parser.add_argument("--json", action="store_true", help="print one JSON object per utterance")
    add_settings_flags(parser, "--rubric", "--rubrics-dir", "--embedder", "--embedder-runtime", "--device")
    parser.set_defaults(func=run_score)


def read_utterances(source: str) -> list[str]:
    """Non-blank lines from a file or standard input; unreadable input is a user error."""
    try:
        if source == "-":
            text = sys.stdin.buffer.read().decode("utf-8")
        else:
            text = Path(source).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CLIError(f"{source}: not valid UTF-8 text") from None
    except OSError as exc:
        raise CLIError(f"{source}: cannot read ({exc.strerror})") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def selected_rubric(settings: Settings) -> Rubric:
    if not Path(settings.rubrics_dir).is_dir():
        raise CLIError(f"rubrics folder not found: {settings.rubrics_dir}")
    registry = load_rubrics(settings.rubrics_dir)
    for message in registry.errors.values():
        print(f"warning: skipped {message}", file=sys.stderr)
    return registry.get(settings.rubric)


def build_scorer(settings: Settings, embedder: Embedder | None = None) -> Scorer:
    """The selected rubric with its learned head for this embedder, when one was built."""
    rubric, embedder = selected_rubric(settings), embedder or load_embedder(settings)
    return Scorer(rubric, embedder, head_for(rubric, embedder, settings.rubrics_dir, settings.cache_dir))


def format_line(assessment: Assessment) -> str:
    verdict = "recommended" if assessment.recommended else "not recommended"
    flags = f" [{', '.join(assessment.flags)}]" if assessment.flags else ""
    line = f"{assessment.question_type} / {assessment.tone} / {verdict}{flags}: {assessment.text}"
    return line + (f"\n  try: {assessment.suggestion}" if assessment.suggestion else "")


def run_score(args: argparse.Namespace) -> int:
    utterances = read_utterances(args.file)
    if not utterances:
        raise CLIError(f"{args.file}: no utterances (the input has only blank lines)")
    scorer = build_scorer(settings_from_args(args))
    for assessment in scorer.assess_many(utterances):
        if args.json:
            print(json.dumps(assessment.public_dict(), ensure_ascii=False))
        else:
            print(format_line(assessment))
    return 0
