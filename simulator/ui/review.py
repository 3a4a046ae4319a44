"""Review tab: find sessions, read transcripts, override labels, comment, export, rescore, follow progress.

Trainees may open only their own sessions (read-only); assessors and instructors see everyone's and
may change reviews. Reviewer changes are stored beside the scorer's labels, never over them.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, time
from pathlib import Path

import gradio as gr
import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

from simulator.auth import User, can_review, can_view_session, require
from simulator.labels import FLAGS, QUESTION_TYPES, TONES
from simulator.services import Services
from simulator.storage import RescoreRecord, SessionMode, SessionRecord, SessionStatus, TurnRecord
from simulator.ui import render
from simulator.ui.charts import line_chart
from simulator.ui.handlers import current_user

OVERRIDE_FIELDS = ("question_type", "tone", "recommended", "flags")


class SessionFilters(BaseModel):
    """The review list's filters; empty strings from the form mean 'any'."""

    model_config = ConfigDict(extra="forbid")

    trainee: str | None = None
    persona_id: str | None = None
    mode: SessionMode | None = None
    status: SessionStatus | None = None
    since: datetime | None = None
    min_score: float | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_any(cls, value):
        return None if value in ("", "any") else value

    @field_validator("since", mode="before")
    @classmethod
    def _date(cls, value):
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        try:
            return datetime.combine(datetime.strptime(value.strip(), "%Y-%m-%d").date(), time(), UTC)
        except ValueError:
            raise ValueError(f"dates look like 2025-01-31, not {value!r}") from None


class ReviewHandlers:
    def __init__(self, services: Services):
        self.services = services

    def _user(self, request: gr.Request | None) -> User:
        return current_user(self.services, request)

    def _reviewer(self, request: gr.Request | None, action: str) -> User:
        user = self._user(request)
        require(can_review(user), user, action)
        return user

    def _visible_session(self, session_id: str, user: User) -> SessionRecord:
        record = self.services.store().get_session(session_id)
        require(can_view_session(user, record), user, f"open session {session_id}")
        return record

    def sessions(self, filters: SessionFilters, request: gr.Request | None = None) -> list[SessionRecord]:
        """Trainees get their own sessions whatever the trainee filter says."""
        user = self._user(request)
        if not can_review(user):
            filters = filters.model_copy(update={"trainee": user.name})
        return self.services.store().list_sessions(**filters.model_dump())

    def open(self, session_id: str, request: gr.Request | None = None
             ) -> tuple[SessionRecord, list[TurnRecord], list[RescoreRecord]]:
        user = self._user(request)
        record = self._visible_session(session_id, user)
        store = self.services.store()
        return record, store.get_turns(session_id), store.get_rescores(session_id)

    def override(self, session_id: str, turn_index: int, field: str, value: str | list[str], comment: str,
                 request: gr.Request | None = None) -> None:
        """Correct one label of one turn with a value picked from its vocabulary (flags: a list)."""
        user = self._reviewer(request, "override labels")
        if not comment.strip():
            raise ValueError("Say why in the comment: overrides are part of the assessment record.")
        turns = {turn.index: turn for turn in self.services.store().get_turns(session_id)}
        if turn_index not in turns:
            raise ValueError(f"Session {session_id} has no question {turn_index + 1}.")
        self.services.store().add_override(turns[turn_index].id, field, parse_override_value(field, value),
                                           comment.strip(), user.name)

    def comment(self, session_id: str, comment: str, request: gr.Request | None = None) -> None:
        user = self._reviewer(request, "comment on sessions")
        self._visible_session(session_id, user)
        self.services.store().set_overall_comment(session_id, comment, author=user.name)

    def export(self, filters: SessionFilters, request: gr.Request | None = None) -> list[Path]:
        """Sessions CSV and turns CSV for the filtered sessions."""
        user = self._reviewer(request, "export sessions")
        store = self.services.store()
        sessions = store.list_sessions(**filters.model_dump())
        folder = Path(tempfile.mkdtemp(prefix="interview-sim-"))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")  # a name of its own: its grant is by name
        paths = [folder / f"sessions-{stamp}.csv", folder / f"turns-{stamp}.csv"]
        paths[0].write_text(store.export_sessions_csv(sessions, actor=user.name), encoding="utf-8")
        turns_csv = store.export_turns_csv([s.id for s in sessions], actor=user.name)
        paths[1].write_text(turns_csv, encoding="utf-8")
        self.services.downloads.grant(paths, can_review)
        return paths

    def progress(self, trainee: str, request: gr.Request | None = None) -> pd.DataFrame:
        """Recommended share per ended session, oldest first (a trainee sees only their own)."""
        user = self._user(request)
        trainee = trainee.strip() or user.name
        require(can_review(user) or trainee == user.name, user, f"see the progress of '{trainee}'")
        points = self.services.store().trainee_progress(trainee)
        return pd.DataFrame(
            [{"session": i + 1, "started": p.started_at, "recommended": round(100 * p.recommended_share),
              "persona": p.persona_id} for i, p in enumerate(points)],
            columns=["session", "started", "recommended", "persona"])

    def rescore(self, session_id: str, rubric_id: str,
                request: gr.Request | None = None) -> list[RescoreRecord]:
        """Score the session's officer messages with another rubric; the old labels stay beside them."""
        user = self._reviewer(request, "rescore sessions")
        rubric = self.services.rubric(rubric_id)
        turns = self.services.store().get_turns(session_id)
        if not turns:
            raise ValueError("That session has no questions to rescore.")
        assessments = self.services.scorer(rubric).assess_many([turn.officer for turn in turns])
        by_index = {turn.index: assessment for turn, assessment in zip(turns, assessments, strict=True)}
        return self.services.store().add_rescore(session_id, rubric.id, rubric.content_hash(), by_index,
                                                 actor=user.name)


def override_choices(field: str) -> list[tuple[str, str]]:
    """The values a reviewer may pick for a label: its vocabulary, never free text."""
    if field == "question_type":
        return [(render.label(value), value) for value in QUESTION_TYPES]
    if field == "tone":
        return [(render.label(value), value) for value in TONES]
    if field == "recommended":
        return [("yes", "yes"), ("no", "no")]
    if field == "flags":
        return [(f"{render.label(flag)}: {meaning}", flag) for flag, meaning in FLAGS.items()]
    raise ValueError(f"cannot override {field!r}; choose one of {', '.join(OVERRIDE_FIELDS)}")


def parse_override_value(field: str, value: str | list[str] | None):
    """Form values to the stored type; the store checks the value against the label vocabulary."""
    if field == "flags":
        return [flag for flag in (value or []) if flag]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"Pick the new value of {field} first.")
    value = value.strip()
    if field == "recommended":
        if value.lower() not in ("true", "false", "yes", "no"):
            raise ValueError("recommended is yes or no")
        return value.lower() in ("true", "yes")
    if field.startswith("criteria."):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"{field} is a number between 0 and 1, not {value!r}") from None
    return value


def progress_chart(progress: pd.DataFrame) -> str:
    """Recommended share per ended session, oldest first, each point labelled with its date."""
    if progress.empty:
        return "<p>No finished interviews yet: progress appears after the first debrief.</p>"
    dates = [f"{started:%Y-%m-%d}" for started in progress["started"]]
    notes = [f"{persona}, {started:%H:%M}"
             for persona, started in zip(progress["persona"], progress["started"], strict=True)]
    chart = line_chart("Recommended questions per finished interview", dates,
                       {"recommended": list(progress["recommended"])}, y_max=100, y_unit="%",
                       point_notes=notes)
    if len(progress) == 1:
        chart += "<p>One finished interview so far: the trend shows from the second.</p>"
    return chart


def sessions_table(sessions: list[SessionRecord]) -> pd.DataFrame:
    rows = [{"id": s.id, "trainee": s.trainee, "persona": s.persona_id, "mode": s.mode, "status": s.status,
             "started": s.started_at.strftime("%Y-%m-%d %H:%M"), "questions": s.turn_count,
             "recommended": "" if s.recommended_share is None else render.percent(s.recommended_share)}
            for s in sessions]
    return pd.DataFrame(rows, columns=["id", "trainee", "persona", "mode", "status", "started", "questions",
                                       "recommended"])


def transcript_markdown(record: SessionRecord, turns: list[TurnRecord], rescores: list[RescoreRecord]) -> str:
    """The transcript with each question's effective labels; overrides and rescorings shown beside."""
    rescored: dict[int, list[RescoreRecord]] = {}
    for rescore in rescores:
        rescored.setdefault(rescore.turn_index, []).append(rescore)
    share = "—" if record.recommended_share is None else render.percent(record.recommended_share)
    scorer = record.scorer_recommended_share
    if record.recommended_share is not None and scorer is not None and render.percent(scorer) != share:
        share += f" after review (scorer: {render.percent(scorer)})"
    lines = [f"### {render.inert(record.trainee)} · {render.inert(record.persona_id)} · {record.mode} · "
             f"{record.started_at:%Y-%m-%d %H:%M} · recommended {share}"]
    if record.conclusion:
        said = record.conclusion
        found = ", ".join(render.label(i) for i in said.get("indicators", [])) or "none"
        lines.append(f"**Conclusion:** likely victim {render.inert(str(said.get('likely_victim')))}; "
                     f"type {render.inert(render.label(str(said.get('type'))))}; "
                     f"indicators {render.inert(found)}")
    if record.overall_comment:
        lines.append(f"**Reviewer comment:** {render.inert(record.overall_comment)}")
    for turn in turns:
        labels = turn.effective
        mark = "✓" if labels.get("recommended") else "⚠"
        lines.append(
            f"**Q{turn.index + 1}** {mark} _{render.label(str(labels.get('question_type')))}, "
            f"{labels.get('tone')}_ — {render.inert(turn.officer)}  \n"
            f"↳ {render.inert(turn.reply)}"
            + ("  \n⚠ contaminated answer" if turn.contaminated else "")
        )
        if turn.assessment.get("evidence"):  # cues, nearest exemplars, probabilities: for assessors only
            lines.append(f"> scorer: {render.inert(turn.assessment['evidence'])}")
        for override in turn.overrides:
            lines.append(f"> ✎ {render.inert(override.author)} changed {override.field} from "
                         f"{render.inert(json.dumps(override.original_value))} to "
                         f"{render.inert(json.dumps(override.new_value))}: {render.inert(override.comment)}")
        for rescore in rescored.get(turn.index, []):
            new = rescore.assessment
            lines.append(f"> ↻ rubric {render.inert(rescore.rubric_id)} ({rescore.rubric_hash[:8]}): "
                         f"{render.label(str(new.get('question_type')))}, "
                         f"{'recommended' if new.get('recommended') else 'not recommended'}")
    return "\n\n".join(lines)
