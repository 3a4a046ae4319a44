"""A throwaway PostgreSQL cluster in a temporary folder, for the tests and bench/load.py.

It uses the server binaries of Debian's `postgresql` package (`make postgres` installs them), so the
PostgreSQL tier runs the real server with no network and no system service. PostgreSQL refuses to run
as root, so as root the cluster belongs to the `postgres` user the package creates. It trusts local
connections and listens only on 127.0.0.1 (a free port) and on a socket in its own folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from simulator.ports import free_port

BIN_DIRS = "/usr/lib/postgresql/*/bin"  # Debian's layout: one folder per major version
SUPERUSER = "postgres"
# A zone far from UTC with a 45-minute offset: code that assumes the server's clock is UTC shows up.
SERVER_TIMEZONE = "Pacific/Chatham"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries (or no psycopg driver) on this machine."""


def find_bin_dir() -> Path | None:
    """The newest folder holding initdb and pg_ctl: Debian's, else the one on PATH."""
    debian = sorted(glob.glob(BIN_DIRS), key=lambda path: int(Path(path).parent.name), reverse=True)
    on_path = shutil.which("initdb")
    for folder in [*debian, *([str(Path(on_path).parent)] if on_path else [])]:
        if all((Path(folder) / program).is_file() for program in ("initdb", "pg_ctl")):
            return Path(folder)
    return None


class ThrowawayCluster:
    """`with ThrowawayCluster() as cluster: url = cluster.create_database()`; gone afterwards."""

    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        if self.bin_dir is None:
            raise PostgresMissing("PostgreSQL (initdb, pg_ctl) is not installed: run `make postgres`")
        try:
            import psycopg  # noqa: F401  (the driver every URL below names)
        except ImportError as exc:
            raise PostgresMissing("the psycopg driver is not installed: run `make setup`") from exc
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="interview-sim-pg-"))
        self.data = self.folder / "data"
        self._owner = pwd.getpwnam(SUPERUSER) if os.geteuid() == 0 else None

    def __enter__(self) -> ThrowawayCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        if self._owner is not None:
            os.chown(self.folder, self._owner.pw_uid, self._owner.pw_gid)
        self._run("initdb", "-D", self.data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
                  "--no-locale", "--no-instructions", "--no-sync")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                       f"unix_socket_directories = '{self.folder}'\ntimezone = '{SERVER_TIMEZONE}'\n")
        self._run("pg_ctl", "start", "-D", self.data, "-l", self.folder / "server.log", "-w", "-t", "60")

    def stop(self) -> None:
        """Stop at once (nothing here needs a clean shutdown) and remove the folder."""
        if (self.data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "stop", "-D", self.data, "-m", "immediate", "-w", "-t", "30")
            except RuntimeError:
                pid = int((self.data / "postmaster.pid").read_text().split()[0])
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = name or f"sim_{uuid.uuid4().hex[:16]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop it, ending any connection still open to it (a test's leftover pool)."""
        name = url.rsplit("/", 1)[1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(statement)

    def _run(self, program: str, *args: str | Path) -> None:
        command = [str(self.bin_dir / program), *map(str, args)]
        if self._owner is not None:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.folder)
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()}\n{tail}")
