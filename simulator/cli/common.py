"""Flags shared by subcommands, mapped onto the one Settings object."""

from __future__ import annotations

import argparse

from simulator.cli import CLIError
from simulator.settings import Settings

SETTINGS_FLAGS = {
    "--model": ("chat_model", "chat model name from models/manifest.yaml (env INTERVIEW_SIM_CHAT_MODEL)"),
    "--voice": ("voice", "who words replies: authored, planned, actor or prompt (env INTERVIEW_SIM_VOICE)"),
    "--embedder": ("embedder", "embedder name from models/manifest.yaml (env INTERVIEW_SIM_EMBEDDER)"),
    "--embedder-runtime": ("embedder_runtime", "auto, onnx or torch: how the embedder runs on CPU "
                                               "(env INTERVIEW_SIM_EMBEDDER_RUNTIME)"),
    "--device": ("device", "auto, cpu, cuda or cuda:N (env INTERVIEW_SIM_DEVICE)"),
    "--personas-dir": ("personas_dir", "folder of persona YAML files (env INTERVIEW_SIM_PERSONAS_DIR)"),
    "--rubrics-dir": ("rubrics_dir", "folder of rubric YAML files (env INTERVIEW_SIM_RUBRICS_DIR)"),
    "--rubric": ("rubric", "rubric id (env INTERVIEW_SIM_RUBRIC)"),
    "--data-dir": ("data_dir", "folder for the database and exports (env INTERVIEW_SIM_DATA_DIR)"),
    "--database-url": (
        "database_url", "SQLAlchemy URL; default sqlite in the data dir (env INTERVIEW_SIM_DATABASE_URL)",
    ),
}


def add_settings_flags(parser: argparse.ArgumentParser, *names: str) -> None:
    """Add the named settings flags (all of them when none are named)."""
    for flag in names or SETTINGS_FLAGS:
        dest, help_text = SETTINGS_FLAGS[flag]
        parser.add_argument(flag, dest=dest, default=None, help=help_text)


def settings_from_args(args: argparse.Namespace, **extra) -> Settings:
    overrides = {dest: getattr(args, dest, None) for dest, _ in SETTINGS_FLAGS.values()}
    overrides.update(extra)
    return Settings.load(overrides)


def require_peft(what: str) -> None:
    """Training commands need the optional `train` extra; say how to get it instead of a traceback."""
    try:
        import peft  # noqa: F401
    except ImportError:
        raise CLIError(f"{what} needs peft: pip install -e '.[train]'") from None
