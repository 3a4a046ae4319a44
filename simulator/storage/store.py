"""The Store: every read and write of sessions, turns, reviews, users and the audit log.

Transcripts are assessment records: every turn is committed as it happens, a failed write raises
StorageError (the caller still holds the data and can retry), and reviewers' corrections are stored
beside the scorer's labels, never over them. One Store serves many Gradio worker threads (and on
PostgreSQL several app processes); each call runs its own short transaction and returns pydantic
records. A write that reads before it writes first locks the session row (FOR UPDATE), so concurrent
writers to one session queue instead of both taking the same turn index or override history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pydantic import AwareDatetime, Field, validate_call
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

import simulator
from simulator.auth import Role, User, check_user_name, hash_password, verify_password
from simulator.storage.courses import CourseStorage
from simulator.storage.csv_export import sessions_csv, turns_csv
from simulator.storage.engine import (
    WRITE_OPTIONS,
    StorageError,
    describe,
    open_engine,
    schema_version,
    upgrade_schema,
)
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
    as_json_dict,
)
from simulator.storage.review import apply_overrides, check_session_override, check_turn_override, value_at
from simulator.storage.tables import (
    AuditRow,
    Base,
    OverrideRow,
    RescoreRow,
    SessionRow,
    TurnRow,
    UserRow,
    utcnow,
)

DEFAULT_BUSY_TIMEOUT_S = 5.0


class NotFoundError(ValueError):
    """No session, turn or user with that id or name."""


class Store(CourseStorage):
    """All database access (courses, cohorts and ratings: storage/courses.py). Thread-safe: share one
    Store between threads; each call is its own short transaction. Opening it upgrades the schema to
    the newest migration."""

    def __init__(self, database_url: str, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S):
        self._engine = open_engine(database_url, busy_timeout_s)
        self._writer = self._engine.execution_options(**WRITE_OPTIONS)
        upgrade_schema(self._engine, busy_timeout_s)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @contextmanager
    def _transaction(self, action: str, *, write: bool = False) -> Iterator[Session]:
        """One short transaction; database failures become StorageError naming what failed."""
        try:
            with Session(self._writer if write else self._engine) as session, session.begin():
                yield session
        except IntegrityError:
            raise  # a conflict with existing data: the method that expects it explains it
        except DBAPIError as exc:
            unsaved = " Nothing was saved; keep the data and try again." if write else ""
            raise StorageError(f"Could not {action}: {describe(exc)}.{unsaved}") from exc

    def schema_version(self) -> str | None:
        """The alembic revision the database is at."""
        return schema_version(self._engine)

    # -- sessions --

    @validate_call
    def create_session(
        self,
        *,
        trainee: str,
        persona_id: str,
        persona_version: str,
        persona_hash: str,
        rubric_id: str,
        rubric_hash: str,
        chat_model: str,
        embedder: str,
        mode: SessionMode = "practice",
        seed: int | None = None,
        app_version: str = simulator.__version__,
        state_snapshot: dict[str, Any] | None = None,
    ) -> SessionRecord:
        row = SessionRow(
            id=uuid.uuid4().hex, trainee=trainee, persona_id=persona_id, persona_version=persona_version,
            persona_hash=persona_hash, rubric_id=rubric_id, rubric_hash=rubric_hash, chat_model=chat_model,
            embedder=embedder, app_version=app_version, mode=mode, seed=seed, status="active",
            started_at=utcnow(), overall_comment="", state_snapshot=state_snapshot,
        )
        with self._transaction("start the session", write=True) as db:
            db.add(row)
            db.flush()
            return _session_record(row, turn_count=0, overrides=[])

    def get_session(self, session_id: str) -> SessionRecord:
        with self._transaction("read the session") as db:
            row = _get_session_row(db, session_id)
            overrides = db.scalars(
                select(OverrideRow)
                .where(OverrideRow.session_id == session_id, OverrideRow.turn_id.is_(None))
                .order_by(OverrideRow.created_at, OverrideRow.id)
            ).all()
            return _session_record(row, turn_count=_turn_count(db, session_id), overrides=overrides)

    @validate_call
    def list_sessions(
        self,
        trainee: str | None = None,
        persona_id: str | None = None,
        mode: SessionMode | None = None,
        since: AwareDatetime | None = None,
        until: AwareDatetime | None = None,
        min_score: float | None = None,
        max_score: float | None = None,
        status: SessionStatus | None = None,
        limit: int | None = Field(default=None, ge=1),
    ) -> list[SessionRecord]:
        """Sessions newest first. Scores filter on the share of recommended questions; a session
        without a score (not ended) never matches a score filter."""
        turn_count = (
            select(func.count(TurnRow.id)).where(TurnRow.session_id == SessionRow.id).scalar_subquery()
        )
        query = select(SessionRow, turn_count).order_by(SessionRow.started_at.desc(), SessionRow.id)
        equal = [(SessionRow.trainee, trainee), (SessionRow.persona_id, persona_id), (SessionRow.mode, mode),
                 (SessionRow.status, status)]
        conditions = [column == value for column, value in equal if value is not None]
        if since is not None:
            conditions.append(SessionRow.started_at >= since)
        if until is not None:
            conditions.append(SessionRow.started_at < until)
        if min_score is not None:
            conditions.append(SessionRow.recommended_share >= min_score)
        if max_score is not None:
            conditions.append(SessionRow.recommended_share <= max_score)
        query = query.where(*conditions)
        if limit is not None:
            query = query.limit(limit)
        with self._transaction("list sessions") as db:
            return [_session_record(row, turn_count=count, overrides=[]) for row, count in db.execute(query)]

    def update_snapshot(self, session_id: str, snapshot: dict[str, Any]) -> None:
        """Save the engine state needed to resume an interrupted session."""
        with self._transaction("save the session state", write=True) as db:
            _get_session_row(db, session_id).state_snapshot = snapshot

    def end_session(
        self,
        session_id: str,
        conclusion: dict[str, Any],
        summary: dict[str, Any],
        recommended_share: float | None,
    ) -> SessionRecord:
        with self._transaction("end the session", write=True) as db:
            row = _get_session_row(db, session_id, lock=True)
            if row.status == "ended":
                raise ValueError(f"session {session_id} has already ended")
            row.status, row.ended_at = "ended", utcnow()
            row.conclusion, row.summary, row.recommended_share = conclusion, summary, recommended_share
            if _has_recommended_overrides(db, session_id):
                row.recommended_share = _reviewed_share(db, session_id)
            db.flush()
            return _session_record(row, turn_count=_turn_count(db, session_id), overrides=[])

    def discard_session(self, session_id: str, *, actor: str) -> SessionRecord:
        """An unfinished interview its trainee gave up: no longer offered for resuming, and kept, marked
        discarded, for reviewers (turns are assessment records). Audited."""
        with self._transaction("discard the session", write=True) as db:
            row = _get_session_row(db, session_id, lock=True)
            if row.status != "active":
                raise ValueError(f"session {session_id} is {row.status}: only unfinished ones are discarded")
            row.status, row.ended_at, row.state_snapshot = "discarded", utcnow(), None
            _audit(db, actor, "session_discarded", session_id)
            db.flush()
            return _session_record(row, turn_count=_turn_count(db, session_id), overrides=[])

    def set_overall_comment(self, session_id: str, comment: str, *, author: str) -> None:
        with self._transaction("save the comment", write=True) as db:
            _get_session_row(db, session_id).overall_comment = comment
            _audit(db, author, "overall_comment", session_id, {"comment": comment})

    # -- turns --

    def add_turn(self, session_id: str, turn: NewTurn | Mapping[str, Any]) -> TurnRecord:
        """Commit one turn now, so a crash or restart loses nothing already said."""
        turn = turn if isinstance(turn, NewTurn) else NewTurn.model_validate(turn)
        try:
            with self._transaction(f"save the turn of session {session_id}", write=True) as db:
                session_row = _get_session_row(db, session_id, lock=True)
                if session_row.status != "active":
                    raise ValueError(f"session {session_id} has ended ({session_row.status}); "
                                     "no more turns can be added")
                index = turn.index
                if index is None:
                    last = db.scalar(select(func.max(TurnRow.index)).where(TurnRow.session_id == session_id))
                    index = 0 if last is None else last + 1
                row = TurnRow(session_id=session_id, **turn.model_dump(exclude={"index"}), index=index,
                              created_at=utcnow())
                db.add(row)
                db.flush()
                return _turn_record(row, [])
        except IntegrityError as exc:
            raise ValueError(f"session {session_id} already has a turn with index {turn.index}") from exc

    def get_turns(self, session_id: str) -> list[TurnRecord]:
        """Turns in order, each with the scorer's labels, the reviewers' overrides and the result."""
        with self._transaction("read the turns") as db:
            _get_session_row(db, session_id)
            rows = db.scalars(select(TurnRow).where(TurnRow.session_id == session_id).order_by(TurnRow.index))
            overrides = db.scalars(
                select(OverrideRow)
                .where(OverrideRow.session_id == session_id, OverrideRow.turn_id.is_not(None))
                .order_by(OverrideRow.created_at, OverrideRow.id)
            ).all()
            by_turn: dict[int, list[OverrideRow]] = {}
            for override in overrides:
                by_turn.setdefault(override.turn_id, []).append(override)
            return [_turn_record(row, by_turn.get(row.id, [])) for row in rows]

    # -- review --

    def add_override(
        self,
        turn_id: int | None,
        field: str,
        new_value: Any,
        comment: str,
        author: str,
        *,
        session_id: str | None = None,
    ) -> OverrideRecord:
        """Record a reviewer's correction of one label. Turn fields: question_type, tone, recommended,
        flags, criteria.NAME. Session-level overrides (turn_id None, session_id set) correct a
        dotted field of the session summary. The scorer's original stays untouched."""
        if (turn_id is None) == (session_id is None):
            raise ValueError("give either a turn_id (turn label) or a session_id (session summary field)")
        if turn_id is not None:
            new_value = check_turn_override(field, new_value)
        else:
            new_value = check_session_override(field, new_value)
        with self._transaction("save the override", write=True) as db:
            if turn_id is not None:
                turn_row = db.get(TurnRow, turn_id)
                if turn_row is None:
                    raise NotFoundError(f"no turn with id {turn_id}")
                session_id, base = turn_row.session_id, turn_row.assessment
                _get_session_row(db, session_id, lock=True)
            else:
                base = _get_session_row(db, session_id, lock=True).summary or {}
            same_target = OverrideRow.turn_id.is_(None) if turn_id is None else OverrideRow.turn_id == turn_id
            latest = db.scalars(
                select(OverrideRow)
                .where(OverrideRow.session_id == session_id, same_target, OverrideRow.field == field)
                .order_by(OverrideRow.created_at.desc(), OverrideRow.id.desc())
            ).first()
            original = latest.new_value if latest else value_at(base, field)
            row = OverrideRow(turn_id=turn_id, session_id=session_id, field=field, original_value=original,
                              new_value=new_value, comment=comment, author=author, created_at=utcnow())
            db.add(row)
            db.flush()
            if field == "recommended" and turn_id is not None:
                session_row = _get_session_row(db, session_id)
                if session_row.recommended_share is not None:  # ended: its figure follows the review
                    session_row.recommended_share = _reviewed_share(db, session_id)
            _audit(db, author, "override", session_id,
                   {"turn_id": turn_id, "field": field, "from": original, "to": new_value})
            return OverrideRecord.model_validate(row)

    def add_rescore(
        self, session_id: str, rubric_id: str, rubric_hash: str, assessments: Mapping[int, Any], *, actor: str
    ) -> list[RescoreRecord]:
        """Store one rescoring run of a session with another rubric, keyed by turn index. The original
        labels (and earlier rescorings) stay beside the new ones."""
        assessments = {index: as_json_dict(value) for index, value in assessments.items()}
        with self._transaction("save the rescoring", write=True) as db:
            _get_session_row(db, session_id)
            turn_rows = db.scalars(select(TurnRow).where(TurnRow.session_id == session_id))
            turns = {row.index: row for row in turn_rows}
            unknown = sorted(set(assessments) - set(turns))
            if unknown:
                raise NotFoundError(f"session {session_id} has no turns with index {unknown}")
            now = utcnow()
            rows = [
                RescoreRow(turn_id=turns[index].id, rubric_id=rubric_id, rubric_hash=rubric_hash,
                           assessment=assessment, created_at=now)
                for index, assessment in assessments.items()
            ]
            db.add_all(rows)
            db.flush()
            _audit(db, actor, "rescore", session_id,
                   {"rubric_id": rubric_id, "rubric_hash": rubric_hash, "turns": len(rows)})
            return [RescoreRecord(turn_index=turns[index].index, **_columns(row))
                    for index, row in zip(assessments, rows, strict=True)]

    def get_rescores(self, session_id: str) -> list[RescoreRecord]:
        with self._transaction("read the rescorings") as db:
            rows = db.execute(
                select(RescoreRow, TurnRow.index)
                .join(TurnRow, RescoreRow.turn_id == TurnRow.id)
                .where(TurnRow.session_id == session_id)
                .order_by(RescoreRow.created_at, TurnRow.index, RescoreRow.id)
            )
            return [RescoreRecord(turn_index=index, **_columns(row)) for row, index in rows]

    def trainee_progress(self, trainee: str) -> list[ProgressPoint]:
        """Share of recommended questions per ended session, oldest first."""
        with self._transaction("read the progress") as db:
            rows = db.scalars(
                select(SessionRow)
                .where(SessionRow.trainee == trainee, SessionRow.status == "ended",
                       SessionRow.recommended_share.is_not(None))
                .order_by(SessionRow.started_at)
            )
            return [ProgressPoint(session_id=row.id, started_at=row.started_at, persona_id=row.persona_id,
                                  mode=row.mode, recommended_share=row.recommended_share) for row in rows]

    # -- exports --

    def export_sessions_csv(self, sessions: Sequence[SessionRecord], *, actor: str) -> str:
        """CSV of the given sessions (e.g. a filtered list_sessions); the export is audited."""
        self.audit(actor, "export_sessions", "", {"sessions": [s.id for s in sessions]})
        return sessions_csv(sessions)

    def export_turns_csv(self, session_ids: Sequence[str], *, actor: str) -> str:
        """CSV of every turn of the sessions, with effective labels; the export is audited."""
        turns = [turn for session_id in session_ids for turn in self.get_turns(session_id)]
        self.audit(actor, "export_turns", "", {"sessions": list(session_ids)})
        return turns_csv(turns)

    # -- audit log --

    def audit(self, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None) -> None:
        """Record who did what (persona edits, exports, ...); reviews and logins record themselves."""
        with self._transaction("write the audit log", write=True) as db:
            _audit(db, actor, action, target, detail)

    def list_audit(
        self, *, actor: str | None = None, action: str | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        """Newest first."""
        query = select(AuditRow).order_by(AuditRow.created_at.desc(), AuditRow.id.desc()).limit(limit)
        if actor is not None:
            query = query.where(AuditRow.actor == actor)
        if action is not None:
            query = query.where(AuditRow.action == action)
        with self._transaction("read the audit log") as db:
            return [AuditEntry.model_validate(row) for row in db.scalars(query)]

    # -- users --

    def add_user(self, name: str, role: Role | str, password: str, *, actor: str) -> UserRecord:
        check_user_name(name)
        role = _parse_role(role)
        password_hash = hash_password(password)  # slow on purpose: outside the transaction
        try:
            with self._transaction(f"add user '{name}'", write=True) as db:
                if db.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
                    raise ValueError(f"user '{name}' already exists")
                row = UserRow(name=name, role=role.value, password_hash=password_hash, created_at=utcnow(),
                              disabled=False)
                db.add(row)
                db.flush()
                _audit(db, actor, "user_added", name, {"role": role.value})
                return UserRecord.model_validate(row)
        except IntegrityError as exc:
            raise ValueError(f"user '{name}' already exists") from exc

    def get_user(self, name: str) -> UserRecord | None:
        with self._transaction("read the user") as db:
            row = db.scalar(select(UserRow).where(UserRow.name == name))
            return UserRecord.model_validate(row) if row else None

    def list_users(self) -> list[UserRecord]:
        """By name, sorted here: SQL's ORDER BY follows the server's collation, which differs by backend."""
        with self._transaction("list users") as db:
            rows = sorted(db.scalars(select(UserRow)), key=lambda row: row.name)
            return [UserRecord.model_validate(row) for row in rows]

    def has_users(self) -> bool:
        """Whether any account exists (disabled ones too): if so, everyone must sign in."""
        with self._transaction("read the users") as db:
            return db.scalar(select(UserRow.id).limit(1)) is not None

    def remove_user(self, name: str, *, actor: str) -> None:
        """Delete the account. Its sessions stay, filed under the name."""
        with self._transaction(f"remove user '{name}'", write=True) as db:
            db.delete(_get_user_row(db, name))
            _audit(db, actor, "user_removed", name)

    def set_disabled(self, name: str, disabled: bool, *, actor: str) -> None:
        with self._transaction(f"update user '{name}'", write=True) as db:
            _get_user_row(db, name).disabled = disabled
            _audit(db, actor, "user_disabled" if disabled else "user_enabled", name)

    def set_password(self, name: str, password: str, *, actor: str) -> None:
        password_hash = hash_password(password)
        with self._transaction(f"change the password of '{name}'", write=True) as db:
            _get_user_row(db, name).password_hash = password_hash
            _audit(db, actor, "password_changed", name)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the name and password match an enabled account; every attempt is audited."""
        with self._transaction("read the user") as db:
            row = db.scalar(select(UserRow).where(UserRow.name == name))
            stored_hash = row.password_hash if row else None
            role, disabled = (row.role, row.disabled) if row else (None, True)
        ok, new_hash = verify_password(stored_hash, password)  # always run: equal time for unknown names
        ok = ok and not disabled
        with self._transaction("record the login", write=True) as db:
            if ok and new_hash:
                _get_user_row(db, name).password_hash = new_hash
            _audit(db, name[:64], "login" if ok else "login_failed", name[:255])
        return User.with_role(name, role) if ok else None


def _audit(
    db: Session, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None
) -> None:
    db.add(AuditRow(actor=actor, action=action, target=target, detail=detail or {}, created_at=utcnow()))


def _columns(row: Base) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _get_session_row(db: Session, session_id: str, *, lock: bool = False) -> SessionRow:
    row = db.get(SessionRow, session_id, with_for_update=lock)
    if row is None:
        raise NotFoundError(f"no session with id {session_id!r}")
    return row


def _get_user_row(db: Session, name: str) -> UserRow:
    row = db.scalar(select(UserRow).where(UserRow.name == name))
    if row is None:
        raise NotFoundError(f"no user named '{name}'")
    return row


def _turn_count(db: Session, session_id: str) -> int:
    return db.scalar(select(func.count(TurnRow.id)).where(TurnRow.session_id == session_id)) or 0


def _has_recommended_overrides(db: Session, session_id: str) -> bool:
    return db.scalar(select(OverrideRow.id).where(
        OverrideRow.session_id == session_id, OverrideRow.turn_id.is_not(None),
        OverrideRow.field == "recommended").limit(1)) is not None


def _reviewed_share(db: Session, session_id: str) -> float | None:
    """Share of recommended questions with reviewers' overrides applied: the figure every list, export
    and plot shows. The scorer's own share stays in the session summary."""
    recommended = {row.id: bool(row.assessment.get("recommended"))
                   for row in db.scalars(select(TurnRow).where(TurnRow.session_id == session_id))}
    overrides = db.scalars(
        select(OverrideRow)
        .where(OverrideRow.session_id == session_id, OverrideRow.turn_id.is_not(None),
               OverrideRow.field == "recommended")
        .order_by(OverrideRow.created_at, OverrideRow.id))
    for override in overrides:  # oldest first: the latest per turn wins
        recommended[override.turn_id] = bool(override.new_value)
    return round(sum(recommended.values()) / len(recommended), 3) if recommended else None


def _session_record(row: SessionRow, *, turn_count: int, overrides: Sequence[OverrideRow]) -> SessionRecord:
    override_records = [OverrideRecord.model_validate(o) for o in overrides]
    effective = apply_overrides(row.summary, override_records) if row.summary is not None else None
    return SessionRecord(**_columns(row), turn_count=turn_count, overrides=override_records,
                         effective_summary=effective)


def _turn_record(row: TurnRow, overrides: Sequence[OverrideRow]) -> TurnRecord:
    override_records = [OverrideRecord.model_validate(o) for o in overrides]
    return TurnRecord(**_columns(row), effective=apply_overrides(row.assessment, override_records),
                      overrides=override_records)


def _parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValueError(f"unknown role {role!r}; choose one of: {', '.join(Role)}") from None
