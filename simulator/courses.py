"""Courses: an ordered list of personas, each with a mode and pass criteria, given to trainees or to a
cohort; and where each trainee stands on each item (not started, in progress, passed, needs another
try, refresher due or overdue).

The status is worked out from the trainee's own sessions on the item's persona and mode since the
course was assigned, so practising the same scenario outside the course counts too, and nothing has
to be kept in step when a session ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from simulator.datafiles import check_id

Mode = Literal["practice", "assessment"]
ItemState = Literal["not started", "in progress", "passed", "needs another try", "refresher due",
                    "refresher overdue"]
REFRESHER_NOTICE = timedelta(days=7)  # "refresher due" this long before the date; "overdue" after it
MAX_ITEMS = 20


class CourseItem(BaseModel):
    """One scenario of a course and what passing it takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    persona_id: str
    mode: Mode = "practice"
    min_recommended: float = Field(default=0.6, ge=0, le=1)  # share of recommended questions
    require_correct_conclusion: bool = True  # victim or not, and the exploitation type

    @field_validator("persona_id")
    @classmethod
    def _id(cls, value: str) -> str:
        return check_id(value, "persona")


class CourseSpec(BaseModel):
    """What an instructor writes: a course's name, items in order and refresher interval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=4000)
    items: list[CourseItem] = Field(min_length=1, max_length=MAX_ITEMS)
    refresher_days: int | None = Field(default=None, ge=1, le=3650)  # passed items come due again

    @field_validator("name", "description", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value


class Course(CourseSpec):
    id: int
    created_by: str
    created_at: datetime
    updated_at: datetime


class Cohort(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    members: list[str]  # trainee names, sorted


class Assignment(BaseModel):
    """A course given to one trainee (`trainee`) or to everyone in a cohort (`cohort_id`)."""

    model_config = ConfigDict(frozen=True)

    id: int
    course_id: int
    course_name: str
    trainee: str | None
    cohort_id: int | None
    cohort_name: str | None
    assigned_by: str
    assigned_at: datetime


class RealismRating(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_id: str
    trainee: str
    persona_id: str
    rating: int = Field(ge=1, le=5)
    comment: str
    created_at: datetime


class SessionOutcome(BaseModel):
    """What courses and the effectiveness view need of a session, read without its transcript or
    resume snapshot: the figures as reviewed, the conclusion, the facts disclosed."""

    model_config = ConfigDict(frozen=True)

    id: str
    trainee: str
    persona_id: str
    mode: Mode
    status: Literal["active", "ended", "discarded"]
    started_at: datetime
    ended_at: datetime | None
    recommended_share: float | None  # reviewers' overrides applied
    conclusion: dict | None
    facts_disclosed: list[str]  # a reviewer's correction of the summary applied
    turns: list[dict] = Field(default_factory=list)  # each question's tone and recommended, as reviewed


class ItemAttempt(BaseModel):
    """One of the trainee's sessions on an item's persona and mode, already judged."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    status: Literal["active", "ended", "discarded"]
    started_at: datetime
    ended_at: datetime | None
    recommended_share: float | None  # reviewers' overrides applied
    conclusion_correct: bool | None  # None: not ended


class ItemStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int  # 1-based, in course order
    item: CourseItem
    state: ItemState
    attempts: int  # ended sessions since the course was assigned
    best_recommended: float | None
    passed_at: datetime | None  # the latest passing session's end
    refresher_at: datetime | None  # when the passed item comes due again


def passes(item: CourseItem, attempt: ItemAttempt) -> bool:
    if attempt.status != "ended" or attempt.recommended_share is None:
        return False
    if attempt.recommended_share + 1e-9 < item.min_recommended:
        return False
    return bool(attempt.conclusion_correct) or not item.require_correct_conclusion


def item_status(position: int, item: CourseItem, attempts: list[ItemAttempt], assigned_at: datetime,
                refresher_days: int | None, now: datetime) -> ItemStatus:
    """Where one trainee stands on one item. Sessions started before the assignment do not count. A
    pass stays a pass; with a refresher interval it comes due again that many days after the latest
    pass ("refresher due" in the week before, "refresher overdue" from the day), until passed again."""
    counted = [a for a in attempts if a.started_at >= assigned_at and a.status != "discarded"]
    ended = [a for a in counted if a.status == "ended"]
    passing = [a for a in ended if passes(item, a)]
    shares = [a.recommended_share for a in ended if a.recommended_share is not None]
    passed_at = max((a.ended_at for a in passing if a.ended_at is not None), default=None)
    refresher_at = (passed_at + timedelta(days=refresher_days)
                    if passed_at is not None and refresher_days else None)
    if passed_at is not None:
        if refresher_at is not None and now >= refresher_at:
            state: ItemState = "refresher overdue"
        elif refresher_at is not None and now >= refresher_at - min(REFRESHER_NOTICE,
                                                                    refresher_at - passed_at):
            state = "refresher due"
        else:
            state = "passed"
    elif any(a.status == "active" for a in counted):
        state = "in progress"
    elif ended:
        state = "needs another try"
    else:
        state = "not started"
    return ItemStatus(position=position, item=item, state=state, attempts=len(ended),
                      best_recommended=max(shares, default=None), passed_at=passed_at,
                      refresher_at=refresher_at)


def next_item(statuses: list[ItemStatus]) -> ItemStatus | None:
    """What "Start next" opens: the first item in course order that is not passed (an unfinished one
    included: starting it again is the trainee's choice), else the first refresher that is due."""
    for status in statuses:
        if status.state in ("not started", "in progress", "needs another try"):
            return status
    return next((s for s in statuses if s.state in ("refresher overdue", "refresher due")), None)
