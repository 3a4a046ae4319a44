"""`interview-sim serve`: start the web app for trainees, instructors and assessors."""

from __future__ import annotations

import argparse

from simulator.cli.common import add_settings_flags, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="start the web app", description=__doc__)
    parser.add_argument("--host", default=None,
                        help="address to listen on (default 127.0.0.1; env INTERVIEW_SIM_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860; env INTERVIEW_SIM_PORT)")
    parser.add_argument("--share", action="store_true", default=None,
                        help="create a public Gradio share link (only allowed once user accounts exist)")
    parser.add_argument("--show-gauges", action="store_true", default=None,
                        help="show trainees the persona's trust and fear gauges")
    parser.add_argument("--max-concurrency", type=int, default=None,
                        help="interviews generating at the same time (default 8)")
    add_settings_flags(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simulator.cli import CLIError
    from simulator.ui.launch import launch

    settings = settings_from_args(args, host=args.host, port=args.port, share=args.share,
                                  show_gauges=args.show_gauges, max_concurrency=args.max_concurrency)
    try:
        launch(settings)
    except OSError as exc:
        raise CLIError(f"cannot start the server on {settings.host}:{settings.port}: {exc}") from exc
    return 0
