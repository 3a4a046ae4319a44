"""`interview-sim rubric list|validate|evaluate|train|prepare`: rubric tooling for instructors."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from simulator.calibration import Evaluation, LabelMetrics, evaluate, load_calibration
from simulator.cli import CLIError
from simulator.cli.common import add_settings_flags, require_peft, settings_from_args
from simulator.cli.score import build_scorer, selected_rubric
from simulator.datafiles import DataFileError
from simulator.encoder_blend import blend_encoders
from simulator.head import save_head
from simulator.head_training import (
    CrossValidation,
    encoder_path,
    head_path,
    prepare_caches,
    shipped_encoder,
    train_head,
    training_examples,
)
from simulator.models import load_embedder
from simulator.rubric import load_rubric, load_rubrics
from simulator.tuned_encoder import train_encoder

CALIBRATION_FILE = Path("calibration") / "officer_utterances.yaml"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rubric", help="list, validate, evaluate, train and prepare rubrics")
    sub = parser.add_subparsers(dest="rubric_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="one rubric per line: id, version, content hash, name")
    listing.set_defaults(func=run_list)

    validate = sub.add_parser("validate", help="check rubric files; exit status 1 if any is invalid")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                          help="rubric files or folders (default: every rubric in the rubrics folder)")
    validate.set_defaults(func=run_validate)

    evaluating = sub.add_parser("evaluate", help="accuracy, macro-F1 and confusion on the calibration set")
    evaluating.add_argument("--calibration", type=Path, metavar="FILE",
                            help=f"labelled utterances (default: <rubrics dir>/{CALIBRATION_FILE})")
    evaluating.add_argument("--annomi", type=Path, metavar="PATH",
                            help="folder with AnnoMI-full.csv: also score its open/closed questions")
    evaluating.add_argument("--folds", type=int, default=5, help="folds for exemplar cross-validation")
    evaluating.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    add_settings_flags(evaluating, "--rubrics-dir", "--rubric", "--embedder", "--embedder-runtime",
                       "--device")
    evaluating.set_defaults(func=run_evaluate)

    training = sub.add_parser("train", help="rebuild the learned head (seeded) beside the rubric; print "
                                            "its cross-validated figures")
    training.add_argument("--json", action="store_true", help="print the cross-validation as JSON")
    training.add_argument("--encoder", action="store_true",
                          help="first retrain the tuned encoder (LoRA on MiniLM, seeded; minutes on CPU; "
                               "needs peft)")
    training.add_argument("--blend-with", type=Path, metavar="DIR",
                          help="with --encoder: blend the new encoder with the one in DIR (WiSE-FT), each "
                               "LoRA update WEIGHT x new + (1 - WEIGHT) x DIR's; DIR may be the shipped one")
    training.add_argument("--blend-weight", type=float, metavar="WEIGHT",
                          help="the new encoder's share in the blend, in [0, 1]")
    add_settings_flags(training, "--rubrics-dir", "--rubric", "--embedder", "--embedder-runtime", "--device")
    training.set_defaults(func=run_train)

    preparing = sub.add_parser("prepare", help="embed the calibration sets and find their cues once, into "
                                               "the disk cache, so the studio's first rubric save takes "
                                               "seconds (minutes on CPU; again after editing the sets)")
    add_settings_flags(preparing, "--rubrics-dir", "--rubric", "--embedder", "--embedder-runtime", "--device")
    preparing.set_defaults(func=run_prepare)

    for command in (listing, validate):
        add_settings_flags(command, "--rubrics-dir")


def run_list(args: argparse.Namespace) -> int:
    registry = load_rubrics(settings_from_args(args).rubrics_dir)
    for rubric in registry:
        print(f"{rubric.id}\tv{rubric.version}\t{rubric.content_hash()}\t{rubric.name}")
    for message in registry.errors.values():
        print(f"warning: skipped {message}", file=sys.stderr)
    return 0


def run_validate(args: argparse.Namespace) -> int:
    paths: list[Path] = []
    for path in args.paths or [settings_from_args(args).rubrics_dir]:
        paths.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    if not paths:
        raise CLIError("no rubric files found")
    failures = 0
    for path in paths:
        try:
            rubric = load_rubric(path)
        except DataFileError as exc:
            failures += 1
            print(f"invalid: {exc}")
            continue
        print(f"ok: {path} ({rubric.id} v{rubric.version}, {len(rubric.criteria)} criteria)")
    return 1 if failures else 0


def run_evaluate(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.folds < 2:
        raise CLIError("--folds must be at least 2")
    calibration = load_calibration(args.calibration or Path(settings.rubrics_dir) / CALIBRATION_FILE)
    if args.annomi and not args.annomi.is_dir():
        raise CLIError(f"--annomi: not a folder: {args.annomi}")
    result = evaluate(build_scorer(settings), calibration, args.folds, args.annomi)
    print(json.dumps(result.model_dump(mode="json"), indent=2) if args.json else format_evaluation(result))
    return 0


def run_train(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    check_blend_flags(args)
    rubric, embedder = selected_rubric(settings), load_embedder(settings)
    calibration = Path(settings.rubrics_dir) / "calibration"
    if args.encoder:
        require_peft("training the encoder")
        folder = encoder_path(settings.rubrics_dir, rubric.id, embedder.name)
        examples = training_examples(rubric, calibration)
        if args.blend_with:
            with tempfile.TemporaryDirectory() as scratch:
                train_encoder(examples, embedder, Path(scratch) / "tuned")
                meta = blend_encoders(Path(scratch) / "tuned", args.blend_with, folder, args.blend_weight)
            print(f"blended: {args.blend_weight} x {meta['blend']['tuned']} + {1 - args.blend_weight:g} x "
                  f"{meta['blend']['anchor']} = {meta['digest']}", file=sys.stderr)
            encoder = shipped_encoder(settings.rubrics_dir, rubric.id, embedder)
        else:
            encoder = train_encoder(examples, embedder, folder)
        print(f"wrote {folder}", file=sys.stderr)
    else:
        encoder = shipped_encoder(settings.rubrics_dir, rubric.id, embedder)
        encoder = encoder.uncached() if encoder is not None else None  # the same bytes from the same inputs
    head, validation = train_head(rubric, embedder, calibration, encoder)
    path = head_path(settings.rubrics_dir, rubric.id, embedder.name)
    save_head(head, path)
    print(json.dumps(validation.model_dump(mode="json"), indent=2) if args.json
          else format_cross_validation(validation))
    print(f"wrote {path}", file=sys.stderr)
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    rubric, embedder = selected_rubric(settings), load_embedder(settings)
    started = time.monotonic()
    count = prepare_caches(rubric, embedder, Path(settings.rubrics_dir) / "calibration",
                           shipped_encoder(settings.rubrics_dir, rubric.id, embedder))
    print(f"prepared {count} examples for rubric {rubric.id} in {time.monotonic() - started:.0f} s "
          f"(cache: {settings.cache_dir})")
    return 0


def check_blend_flags(args: argparse.Namespace) -> None:
    """Refuse a half-given blend before minutes of training, not after."""
    if (args.blend_with is None) != (args.blend_weight is None):
        raise CLIError("--blend-with and --blend-weight go together")
    if args.blend_with is None:
        return
    if not args.encoder:
        raise CLIError("--blend-with needs --encoder (it blends the encoder this command trains)")
    if not 0.0 <= args.blend_weight <= 1.0:
        raise CLIError(f"--blend-weight must lie in [0, 1], got {args.blend_weight}")
    if not (args.blend_with / "encoder.json").is_file():
        raise CLIError(f"--blend-with: no tuned encoder (encoder.json) in {args.blend_with}")


def format_cross_validation(result: CrossValidation) -> str:
    lines = [f"Learned head, {result.folds}-fold cross-validation (every example scored by a head that never "
             f"saw it; harmful threshold {result.harmful_threshold:.2f}):",
             f"  harmful recall {result.harmful_recall:.3f}, precision {result.harmful_precision:.3f}, "
             f"false alarms {result.false_alarms:.3f} of supportive or neutral"]
    lines += format_metrics("tone", result.tone) + format_metrics("recommended", result.recommended)
    if result.question_type is not None:
        lines += format_metrics("question type", result.question_type)
    lines.append("  by set: " + "; ".join(
        f"{source} " + ", ".join(f"{key} {value:.3f}" if key != "n" else f"n={int(value)}"
                                 for key, value in figures.items())
        for source, figures in result.by_source.items()))
    return "\n".join(lines)


def format_metrics(title: str, metrics: LabelMetrics) -> list[str]:
    corner = "truth \\ predicted"
    width = max(len(corner), *(len(label) for label in metrics.classes)) + 2
    lines = [f"{title}: accuracy {metrics.accuracy:.3f}, macro-F1 {metrics.macro_f1:.3f} (n={metrics.n})",
             "  recall: " + ", ".join(f"{label} {value:.2f}" for label, value in metrics.recall.items()),
             "  " + corner.ljust(width)
             + "".join(label[:10].rjust(12) for label in metrics.classes)]
    for label, row in zip(metrics.classes, metrics.confusion, strict=True):
        lines.append("  " + label.ljust(width) + "".join(str(count).rjust(12) for count in row))
    return lines


def format_evaluation(result: Evaluation) -> str:
    lines = [f"Rubric {result.rubric_id} ({result.rubric_hash})", "", "Calibration set (held out):"]
    for name, metrics in result.calibration.items():
        lines += format_metrics(name, metrics)
    lines += ["", f"Cross-validation over the rubric's exemplars ({result.folds} folds):"]
    for name, metrics in result.cross_validation.items():
        lines += format_metrics(name, metrics)
    if result.annomi:
        a = result.annomi
        lines += ["", f"AnnoMI one-sentence therapist questions (n={a.n}: {a.n_open} open, "
                      f"{a.n_closed} closed):",
                  f"  balanced accuracy {a.balanced_accuracy:.3f} (open recall {a.recall_open:.3f}, "
                  f"closed recall {a.recall_closed:.3f}); predicted 'statement' for {a.predicted_statement} "
                  "(counted as wrong)"]
    return "\n".join(lines)
