"""`interview-sim actor train|check`: distil the actor adapter, validate the corpus."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from simulator.cli import CLIError
from simulator.cli.common import require_peft, settings_from_args
from simulator.models import converted_dir

DEFAULT_OUT = Path("models/adapters/smollm2-actor")
BASE_MODEL = "smollm2-135m-instruct"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("actor", help="the distilled actor: check its corpus, train its adapter")
    sub = parser.add_subparsers(dest="actor_command", metavar="ACTION", required=True)

    check = sub.add_parser("check", help="validate the corpus and count its personas, moods and aims")
    check.set_defaults(func=run_check)

    training = sub.add_parser("train", help="train the LoRA adapter from the corpus (CPU; needs peft)")
    training.add_argument("--seed", type=int, default=0)
    training.add_argument("--epochs", type=int, default=1)
    training.add_argument("--threads", type=int, default=1, help="torch threads (1: best on a busy machine)")
    training.add_argument("--examples", type=int, default=None, help="train on a seeded subset of this size")
    training.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"adapter folder ({DEFAULT_OUT})")
    training.add_argument("--cache-dir", dest="cache_dir", default=None,
                          help="converted-model cache holding the base model (env INTERVIEW_SIM_CACHE_DIR)")
    training.set_defaults(func=run_train)


def run_check(args: argparse.Namespace) -> int:
    from simulator.actor.corpus import load_corpus

    corpus = load_corpus()
    aims = Counter(example.aim for example in corpus.examples)
    print(f"{len(corpus.cards)} personas, {len(corpus.examples)} examples")
    print("aims: " + ", ".join(f"{aim} {count}" for aim, count in aims.most_common()))
    return 0


def run_train(args: argparse.Namespace) -> int:
    require_peft("training")
    from simulator.actor.train import train

    base = converted_dir(settings_from_args(args, cache_dir=args.cache_dir), BASE_MODEL)
    if not (base / "config.json").is_file():
        raise CLIError(f"the base model is not fetched: run `interview-sim models fetch {BASE_MODEL}`")
    record = train(base, args.out, seed=args.seed, epochs=args.epochs, threads=args.threads,
                   examples=args.examples)
    losses = [entry["validation_loss"] for entry in record["history"] if "validation_loss" in entry]
    print(f"adapter written to {args.out} in {record['seconds']} s; validation loss "
          + " -> ".join(f"{loss:.3f}" for loss in losses))
    return 0
