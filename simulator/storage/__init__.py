"""Durable storage of practice sessions, turns, reviews, users and the audit log.

`Store(settings.resolved_database_url)` opens (and migrates) the database: a SQLite file by default,
or PostgreSQL with the same code. See docs/deployment.md.
"""

from simulator.storage.engine import StorageError
from simulator.storage.records import (
    AuditEntry,
    NewTurn,
    OverrideRecord,
    ProgressPoint,
    RescoreRecord,
    SessionMode,
    SessionRecord,
    SessionStatus,
    TurnRecord,
    UserRecord,
)
from simulator.storage.store import NotFoundError, Store

__all__ = [
    "AuditEntry", "NewTurn", "NotFoundError", "OverrideRecord", "ProgressPoint", "RescoreRecord",
    "SessionMode", "SessionRecord", "SessionStatus", "Store", "StorageError", "TurnRecord", "UserRecord",
]
