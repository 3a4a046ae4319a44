"""CSV exports of sessions and turns for spreadsheets.

Transcript text is typed by trainees, so a cell such as `=HYPERLINK(...)` must not run as a formula
when an assessor opens the file: such cells get a leading quote (OWASP's CSV-injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from simulator.storage.records import SessionRecord, TurnRecord

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SESSION_COLUMNS = [
    "session_id", "trainee", "persona_id", "persona_version", "mode", "status", "started_at", "ended_at",
    "turns", "recommended_share", "scorer_recommended_share", "concluded_trafficking", "concluded_type",
    "concluded_indicators", "chat_model", "rubric_id", "overall_comment",
]
TURN_COLUMNS = [
    "session_id", "index", "officer", "reply", "question_type", "tone", "recommended", "flags", "overridden",
    "trust", "fear", "mode", "disclosed", "contaminated",
]


def sessions_csv(sessions: Sequence[SessionRecord]) -> str:
    """One row per session: `recommended_share` has reviewers' overrides applied, the scorer's own
    beside it; the trainee's conclusion as they gave it (yes, no or unsure; type; indicators)."""
    rows = []
    for s in sessions:
        conclusion = s.conclusion or {}
        rows.append([
            s.id, s.trainee, s.persona_id, s.persona_version, s.mode, s.status, s.started_at.isoformat(),
            s.ended_at.isoformat() if s.ended_at else None, s.turn_count, s.recommended_share,
            s.scorer_recommended_share, conclusion.get("likely_victim"), conclusion.get("type"),
            " ".join(conclusion.get("indicators") or []), s.chat_model, s.rubric_id, s.overall_comment,
        ])
    return _csv_text(SESSION_COLUMNS, rows)


def turns_csv(turns: Sequence[TurnRecord]) -> str:
    """Turns with their effective labels; `overridden` names the fields a reviewer changed."""
    rows = []
    for turn in turns:
        labels = turn.effective
        rows.append([
            turn.session_id, turn.index, turn.officer, turn.reply, labels.get("question_type"),
            labels.get("tone"), labels.get("recommended"), " ".join(labels.get("flags") or []),
            " ".join(sorted({o.field for o in turn.overrides})), turn.trust, turn.fear, turn.mode,
            " ".join(turn.disclosed), turn.contaminated,
        ])
    return _csv_text(TURN_COLUMNS, rows)


def neutralise(cell: Any) -> Any:
    """Text that a spreadsheet would read as a formula, made inert; numbers are left as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return "" if cell is None else cell


def _csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()
