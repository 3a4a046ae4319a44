"""`interview-sim users add|list|remove|disable|enable|passwd`: accounts for a shared server.

While no account exists the app runs in single-user local mode on 127.0.0.1 only; once one does,
everyone signs in and sees what their role allows (see docs/deployment.md).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from simulator.auth import Role, check_password
from simulator.cli import CLIError
from simulator.cli.common import add_settings_flags, settings_from_args
from simulator.storage import StorageError, Store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("users", help="manage user accounts and roles")
    sub = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    adding = sub.add_parser("add", help="create an account")
    adding.add_argument("name", help="user name: letters, digits, '.', '-' or '_'")
    adding.add_argument("--role", required=True, choices=[role.value for role in Role],
                        help="trainee: own sessions; assessor: reviews all; instructor: also edits personas")
    adding.set_defaults(func=run_add)

    listing = sub.add_parser("list", help="show the accounts")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=run_list)

    removing = sub.add_parser("remove", help="delete an account (its sessions are kept)")
    removing.set_defaults(func=run_remove)

    disabling = sub.add_parser("disable", help="stop an account from signing in, keeping it")
    disabling.set_defaults(func=run_disable, disabled=True)
    enabling = sub.add_parser("enable", help="let a disabled account sign in again")
    enabling.set_defaults(func=run_disable, disabled=False)

    passwd = sub.add_parser("passwd", help="set a new password")
    passwd.set_defaults(func=run_passwd)

    for command in (removing, disabling, enabling, passwd):
        command.add_argument("name", help="user name")
    for command in (adding, passwd):
        command.add_argument("--password-stdin", action="store_true",
                             help="read the password from the first line of standard input (no prompt)")
    for command in (adding, listing, removing, disabling, enabling, passwd):
        add_settings_flags(command, "--data-dir", "--database-url")


def run_add(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)
    with open_store(args) as store:
        first = not store.has_users()
        store.add_user(args.name, args.role, password, actor=cli_actor())
    print(f"Added {args.role} '{args.name}'.")
    if first:
        print("Accounts now exist: once the app is (re)started everyone must sign in, and it may listen "
              "beyond 127.0.0.1. A running app stays in single-user mode until it restarts.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        users = store.list_users()
    if args.json:
        print(json.dumps([user.model_dump(mode="json") for user in users], indent=2))
        return 0
    if not users:
        print("No accounts: the app runs in single-user local mode (127.0.0.1 only).")
        return 0
    width = max(len(user.name) for user in users)
    print(f"{'NAME':<{width}}  {'ROLE':<10}  {'CREATED':<16}  STATUS")
    for user in users:
        created = user.created_at.strftime("%Y-%m-%d %H:%M")
        status = "disabled" if user.disabled else "active"
        print(f"{user.name:<{width}}  {user.role:<10}  {created:<16}  {status}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        store.remove_user(args.name, actor=cli_actor())
        none_left = not store.has_users()
    print(f"Removed '{args.name}'. Their sessions are kept under that name.")
    if none_left:
        print("No accounts are left: a running app now refuses everyone (it never falls back to "
              "single-user mode while it runs); restarted on 127.0.0.1, it runs in single-user mode.")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        store.set_disabled(args.name, args.disabled, actor=cli_actor())
    print(f"{'Disabled' if args.disabled else 'Enabled'} '{args.name}'.")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if store.get_user(args.name) is None:
            raise CLIError(f"no user named '{args.name}'")
        store.set_password(args.name, read_password(args.password_stdin), actor=cli_actor())
    print(f"Password changed for '{args.name}'.")
    return 0


@contextmanager
def open_store(args: argparse.Namespace) -> Iterator[Store]:
    """The configured database; its failures become a one-line error instead of a traceback."""
    try:
        with Store(settings_from_args(args).resolved_database_url) as store:
            yield store
    except StorageError as exc:
        raise CLIError(str(exc)) from exc


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise CLIError("the passwords do not match")
    try:
        return check_password(password)
    except ValueError as exc:
        raise CLIError(str(exc)) from None


def cli_actor() -> str:
    """Who to name in the audit log for changes made from this command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli"
