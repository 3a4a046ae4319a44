"""Opening the database: the SQLAlchemy engine, SQLite's settings for many threads, and migrations.

SQLite gets WAL (readers never wait for the writer), foreign keys and a busy timeout; writers begin
with BEGIN IMMEDIATE so a read-then-write transaction never fails half way on a lock it cannot
upgrade. PostgreSQL gets the busy timeout as its lock_timeout, so a write blocked by another client's
lock fails with StorageError instead of hanging a worker thread; the Store locks the rows it reads
before writing (SELECT ... FOR UPDATE), which SQLite's single writer makes unnecessary there.
"""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
WRITE_OPTIONS = {"sqlite_begin": "IMMEDIATE"}
MIGRATION_LOCK = 72_617_001  # PostgreSQL advisory lock key: one schema upgrade at a time
# Instances starting together queue behind one schema upgrade, which on a busy machine can take longer
# than a request may wait for a lock (seen: four at once on 2 saturated cores ran past 5 s).
MIGRATION_WAIT_S = 60.0
BUSY = "the database is busy (another process holds a lock)"


class StorageError(Exception):
    """The database could not do what was asked (locked, disk full, unreachable). The transaction was
    rolled back, nothing was half-written, and the caller still holds its data and can retry."""


def open_engine(database_url: str, busy_timeout_s: float) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            try:
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                message = f"cannot create the folder for the database {url.database}: {exc}"
                raise StorageError(message) from exc
        engine = create_engine(url)
        _configure_sqlite(engine, busy_timeout_s)
        return engine
    connect_args = {"options": f"-c lock_timeout={int(busy_timeout_s * 1000)}"} if _is_postgres(url) else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def upgrade_schema(engine: Engine, busy_timeout_s: float) -> None:
    """Bring the schema to the newest migration (creating it in a new database), waiting up to
    MIGRATION_WAIT_S for another instance's upgrade; the connection then waits `busy_timeout_s` again.

    A new SQLite connection switches the file to WAL under its own (shorter) busy timeout, so an
    instance opening while another upgrades can still be told "busy"; it tries again until the wait
    is over rather than failing an app start that only had to queue."""
    deadline = time.monotonic() + MIGRATION_WAIT_S
    while True:
        try:
            _upgrade_once(engine, busy_timeout_s)
            return
        except DBAPIError as exc:
            reason = describe(exc)
            if reason != BUSY or time.monotonic() >= deadline:
                raise StorageError(f"cannot open or upgrade the database: {reason}") from exc
            time.sleep(0.05)


def _upgrade_once(engine: Engine, busy_timeout_s: float) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    sqlite = engine.url.get_backend_name() == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            _set_busy_timeout(connection, MIGRATION_WAIT_S)
        try:
            with connection.execution_options(**WRITE_OPTIONS).begin():
                _lock_migrations(connection)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        finally:
            if sqlite:
                _set_busy_timeout(connection, busy_timeout_s)


def _set_busy_timeout(connection: Connection, seconds: float) -> None:
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    connection.commit()  # the statement began a transaction; end it before the next BEGIN


def schema_version(engine: Engine) -> str | None:
    """The alembic revision the database is at (None before the first migration)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def describe(exc: DBAPIError) -> str:
    """A database failure in words a user can act on."""
    message = str(exc.orig).strip()
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered or "lock timeout" in lowered:
        return BUSY
    if "disk is full" in lowered or "no space" in lowered:
        return "the disk is full"
    if "readonly" in lowered or "read-only" in lowered:
        return "the database is read-only"
    return message.splitlines()[0] if message else type(exc.orig).__name__


def _is_postgres(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def _lock_migrations(connection: Connection) -> None:
    """Several app instances starting at once on a new PostgreSQL database would each try to create
    the tables; an advisory lock held until this transaction ends lets one upgrade while the others
    wait and then find the schema current. (SQLite's BEGIN IMMEDIATE already serialises them.)"""
    if _is_postgres(connection.engine.url):
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(MIGRATION_WAIT_S * 1000)}")
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # the driver must not BEGIN on its own: _on_begin does
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        # switching needs the whole database; once it is WAL (it stays so), instances opening it together
        # must not all ask again
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
