"""What the store hands out and takes in: validated pydantic records, never ORM objects, so callers
in other threads never touch a database session."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from simulator.auth import Role

SessionMode = Literal["practice", "assessment"]
SessionStatus = Literal["active", "ended", "discarded"]  # discarded: unfinished, given up by its trainee


def as_json_dict(value: Any) -> Any:
    """Accept an Assessment (or any pydantic model) where a JSON dict is stored."""
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


class Record(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class UserRecord(Record):
    name: str
    role: Role
    created_at: datetime
    disabled: bool


class OverrideRecord(Record):
    """One reviewer change. `original_value` is the value it replaced (the scorer's label for the
    first override of a field, the previous override's value after that), so the rows read in order
    are the whole history."""

    id: int
    turn_id: int | None
    session_id: str
    field: str
    original_value: Any
    new_value: Any
    comment: str
    author: str
    created_at: datetime


class SessionRecord(Record):
    id: str
    trainee: str
    persona_id: str
    persona_version: str
    persona_hash: str
    rubric_id: str
    rubric_hash: str
    chat_model: str
    embedder: str
    app_version: str
    mode: SessionMode
    seed: int | None
    status: SessionStatus
    started_at: datetime
    ended_at: datetime | None
    conclusion: dict[str, Any] | None
    summary: dict[str, Any] | None
    recommended_share: float | None  # with reviewers' overrides applied
    overall_comment: str
    state_snapshot: dict[str, Any] | None
    turn_count: int = 0
    overrides: list[OverrideRecord] = Field(default_factory=list)  # session-level, oldest first
    effective_summary: dict[str, Any] | None = None  # summary with the latest override per field

    @property
    def scorer_recommended_share(self) -> float | None:
        """The share as the scorer labelled it, before any reviewer override."""
        return (self.summary or {}).get("recommended_share")


class NewTurn(BaseModel):
    """One exchange as the engine hands it over; `index` defaults to the next free one."""

    model_config = ConfigDict(extra="forbid")

    index: int | None = Field(default=None, ge=0)
    officer: str
    reply: str
    assessment: dict[str, Any]
    trust: float
    fear: float
    mode: str
    disclosed: list[str] = Field(default_factory=list)
    contaminated: bool = False
    flags: list[str] = Field(default_factory=list)
    guard: dict[str, Any] = Field(default_factory=dict)

    @field_validator("assessment", mode="before")
    @classmethod
    def _dump_model(cls, value: Any) -> Any:
        return as_json_dict(value)


class TurnRecord(Record):
    id: int
    session_id: str
    index: int
    officer: str
    reply: str
    assessment: dict[str, Any]  # the scorer's original labels, never changed
    effective: dict[str, Any]  # the labels with the latest reviewer override per field applied
    overrides: list[OverrideRecord]  # oldest first
    trust: float
    fear: float
    mode: str
    disclosed: list[str]
    contaminated: bool
    flags: list[str]
    guard: dict[str, Any]
    created_at: datetime


class RescoreRecord(Record):
    id: int
    turn_id: int
    turn_index: int
    rubric_id: str
    rubric_hash: str
    assessment: dict[str, Any]
    created_at: datetime


class AuditEntry(Record):
    id: int
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    created_at: datetime


class ProgressPoint(Record):
    session_id: str
    started_at: datetime
    persona_id: str
    mode: SessionMode
    recommended_share: float
