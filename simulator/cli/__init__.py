"""`interview-sim` command line. Each subcommand group lives in its own module with a `register()`."""

from __future__ import annotations

import argparse
import sys

import simulator  # noqa: F401  (sets offline/privacy environment defaults)
from simulator.datafiles import DataFileError
from simulator.llm.base import ChatModelError
from simulator.registry import UnknownNameError
from simulator.storage import StorageError

SUBCOMMAND_MODULES = ("models", "personas", "score", "rubric", "session", "serve", "users", "actor")


class CLIError(Exception):
    """An error for the user: printed to stderr without a traceback, exit status 2 unless set."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="interview-sim", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"simulator.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CLIError as exc:
        print(f"interview-sim: error: {exc}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:
        return 0
    except (DataFileError, UnknownNameError, ChatModelError, StorageError, OSError, UnicodeDecodeError,
            ValueError) as exc:
        print(f"interview-sim: error: {exc}", file=sys.stderr)
        return 2
    except EOFError:
        print("interview-sim: error: the input ended before the command read what it needs", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
