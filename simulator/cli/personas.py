"""`interview-sim personas list|validate|show|export-card|import-card|train-touch`: persona tooling for
instructors."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.cards import card_json, card_to_persona, draft_persona, read_card_json
from simulator.cli import CLIError
from simulator.cli.common import add_settings_flags, require_peft, settings_from_args
from simulator.datafiles import DataFileError, check_id, dump_yaml
from simulator.personas import Persona, load_persona, load_personas
from simulator.registry import Registry, path_for_id


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("personas", help="list, validate, show and convert personas")
    sub = parser.add_subparsers(dest="personas_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="one persona id per line")
    listing.add_argument("--json", action="store_true", help="print a JSON list of persona summaries")
    listing.set_defaults(func=run_list)

    validate = sub.add_parser("validate", help="check persona files; exit status 1 if any is invalid")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                          help="persona files or folders (default: every file in the personas folder)")
    validate.set_defaults(func=run_validate)

    show = sub.add_parser("show", help="print one persona as YAML")
    show.add_argument("persona_id", metavar="ID")
    show.set_defaults(func=run_show)

    export = sub.add_parser("export-card", help="write a persona as a SillyTavern Character Card V2 (JSON)")
    export.add_argument("persona_id", metavar="ID")
    export.add_argument("-o", "--output", type=Path, help="output file (default: standard output)")
    export.set_defaults(func=run_export)

    importing = sub.add_parser("import-card", help="turn a Character Card V2 JSON file into persona YAML")
    importing.add_argument("card", type=Path, metavar="FILE")
    importing.add_argument("-o", "--output", type=Path,
                           help="output file, '-' for standard output (default: <personas dir>/<id>.yaml)")
    importing.add_argument("--draft", action="store_true",
                           help="plain card without interview-sim data: write a draft with TODO placeholders")
    importing.add_argument("--force", action="store_true", help="overwrite an existing file")
    importing.set_defaults(func=run_import)

    train = sub.add_parser("train-touch", help="rebuild the learned touch model from labelled officer lines")
    train.add_argument("files", nargs="*", type=Path, metavar="FILE",
                       help="JSONL files of {persona, fact, text, touches} (default: the shipped sets)")
    train.add_argument("-o", "--output", type=Path,
                       help="model file (default: the one shipped for the embedder)")
    encoder = train.add_mutually_exclusive_group()
    encoder.add_argument("--encoder", action="store_true",
                         help="first retrain the touch encoder on the same files (seeded, about 25 min on 2 "
                              "cores, needs peft) into MODEL.encoder beside the model file")
    encoder.add_argument("--no-encoder", action="store_true",
                         help="the embedder's features alone (default: also those of the shipped touch "
                              "encoder, when there is one)")
    train.set_defaults(func=run_train_touch)

    for command in (listing, validate, show, export, importing, train):
        add_settings_flags(command, "--personas-dir")
    add_settings_flags(train, "--embedder", "--embedder-runtime")


def _registry(args: argparse.Namespace) -> Registry[Persona]:
    folder = settings_from_args(args).personas_dir
    if not folder.is_dir():
        raise CLIError(f"personas folder not found: {folder}")
    registry = load_personas(folder)
    for message in registry.errors.values():
        print(f"warning: skipped {message}", file=sys.stderr)
    return registry


def _persona(args: argparse.Namespace) -> Persona:
    check_id(args.persona_id, "persona id")
    return _registry(args).get(args.persona_id)


def run_list(args: argparse.Namespace) -> int:
    personas = list(_registry(args))
    if args.json:
        rows = [{"id": p.id, "name": p.name, "age": p.age, "gender": p.gender, "origin": p.origin,
                 "exploitation_type": p.exploitation_type, "difficulty": p.difficulty, "setting": p.setting}
                for p in personas]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for persona in personas:
            print(persona.id)
    return 0


def _files_to_validate(args: argparse.Namespace) -> list[Path]:
    paths = args.paths or [settings_from_args(args).personas_dir]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.yaml"))
            if not found:
                raise CLIError(f"no persona files (*.yaml) in {path}")
            files.extend(found)
        else:
            files.append(path)
    return files


def run_validate(args: argparse.Namespace) -> int:
    seen: dict[str, Path] = {}
    failures = 0
    for path in _files_to_validate(args):
        try:
            persona = load_persona(path)
        except DataFileError as exc:
            failures += 1
            print(f"ERROR {exc}")
            continue
        if persona.id in seen:
            failures += 1
            print(f"ERROR {path}: field 'id': persona id '{persona.id}' is also used by {seen[persona.id]}")
            continue
        seen[persona.id] = path
        print(f"OK    {path} ({persona.id}, {len(persona.facts)} facts)")
    return 1 if failures else 0


def run_show(args: argparse.Namespace) -> int:
    print(dump_yaml(_persona(args)), end="")
    return 0


def run_export(args: argparse.Namespace) -> int:
    _write(args.output, card_json(_persona(args)), force=True)
    return 0


def run_import(args: argparse.Namespace) -> int:
    data = read_card_json(args.card)
    if args.draft:
        persona_id, text = draft_persona(data, args.card)
    else:
        persona = card_to_persona(data, args.card)
        text, persona_id = dump_yaml(persona), persona.id
    output = args.output or path_for_id(settings_from_args(args).personas_dir, persona_id, "persona")
    _write(output, text, force=args.force)
    if str(output) != "-":
        note = " (draft: fill in the TODO placeholders, then validate)" if args.draft else ""
        print(f"wrote {output}{note}", file=sys.stderr)
    return 0


def _write(output: Path | None, text: str, force: bool) -> None:
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    if output.exists() and not force:
        raise CLIError(f"{output} already exists; use --force to overwrite it")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


def run_train_touch(args: argparse.Namespace) -> int:
    from simulator.models import load_embedder
    from simulator.touch_encoder import train_touch_encoder
    from simulator.touch_model import (
        DEFAULT_SETS,
        model_path,
        read_lines,
        save_touch_model,
        train_touch_model,
    )
    from simulator.tuned_encoder import load_encoder

    files = args.files or list(DEFAULT_SETS)
    missing = [str(path) for path in files if not Path(path).is_file()]
    if missing:
        raise CLIError(f"labelled file not found: {', '.join(missing)}")
    personas = {persona.id: persona for persona in _registry(args)}
    embedder = load_embedder(settings_from_args(args))
    output = args.output or model_path(embedder.name)
    shipped = model_path(embedder.name).with_suffix(".encoder")
    try:
        encoder = None
        if args.encoder:
            require_peft("training the touch encoder")
            rows = [row for path in files for row in read_lines(path, personas)]
            encoder = train_touch_encoder(rows, personas, embedder, output.with_suffix(".encoder"))
            print(f"wrote {encoder.folder}", file=sys.stderr)
        elif not args.no_encoder and shipped.is_dir():
            encoder = load_encoder(shipped, embedder)
        model = train_touch_model(files, personas, embedder, encoder)
    except (DataFileError, ValueError) as error:
        raise CLIError(str(error)) from error
    save_touch_model(model, output)
    print(f"threshold {model.threshold}; each file scored by a model trained on the others:")
    for name, result in model.cross_validation.items():
        print(f"  {name}: {result.lines} lines, precision {result.precision:.3f}, recall {result.recall:.3f}")
    print(f"wrote {output}")
    return 0
