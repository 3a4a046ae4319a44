"""Store methods for courses, cohorts, assignments and realism ratings (mixed into `Store`).

Who may call which is decided by the app's handlers (simulator/ui/courses.py) through
`simulator.auth`; every change made here is in the audit log.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from simulator.auth import check_user_name
from simulator.courses import Assignment, Cohort, Course, CourseSpec, RealismRating, SessionOutcome
from simulator.storage.course_tables import (
    AssignmentRow,
    CohortMemberRow,
    CohortRow,
    CourseRow,
    RealismRatingRow,
)
from simulator.storage.tables import AuditRow, OverrideRow, SessionRow, TurnRow, utcnow


class CourseStorage:
    """Mixed into Store, whose `_transaction` it uses."""

    # -- courses --

    def create_course(self, spec: CourseSpec, *, actor: str) -> Course:
        now = utcnow()
        try:
            with self._transaction(f"save the course '{spec.name}'", write=True) as db:
                _unique(db, CourseRow, spec.name, "course")
                row = CourseRow(**_spec_columns(spec), created_by=actor, created_at=now, updated_at=now)
                db.add(row)
                db.flush()
                _audit(db, actor, "course_created", str(row.id), {"name": spec.name})
                return _course(row)
        except IntegrityError as exc:
            raise ValueError(f"a course named '{spec.name}' already exists") from exc

    def update_course(self, course_id: int, spec: CourseSpec, *, actor: str) -> Course:
        try:
            with self._transaction(f"save the course '{spec.name}'", write=True) as db:
                row = _course_row(db, course_id)
                if spec.name != row.name:
                    _unique(db, CourseRow, spec.name, "course")
                for key, value in _spec_columns(spec).items():
                    setattr(row, key, value)
                row.updated_at = utcnow()
                _audit(db, actor, "course_updated", str(course_id), {"name": spec.name})
                db.flush()
                return _course(row)
        except IntegrityError as exc:
            raise ValueError(f"a course named '{spec.name}' already exists") from exc

    def delete_course(self, course_id: int, *, actor: str) -> None:
        """The course and its assignments; trainees' sessions stay."""
        with self._transaction("delete the course", write=True) as db:
            row = _course_row(db, course_id)
            db.query(AssignmentRow).filter(AssignmentRow.course_id == course_id).delete()
            db.delete(row)
            _audit(db, actor, "course_deleted", str(course_id), {"name": row.name})

    def get_course(self, course_id: int) -> Course:
        with self._transaction("read the course") as db:
            return _course(_course_row(db, course_id))

    def list_courses(self) -> list[Course]:
        with self._transaction("list courses") as db:
            return sorted((_course(row) for row in db.scalars(select(CourseRow))), key=lambda c: c.name)

    # -- cohorts --

    def save_cohort(self, name: str, members: Iterable[str], *, actor: str) -> Cohort:
        """Create the cohort, or set the members of the one of that name."""
        name = name.strip()
        if not name or len(name) > 128:
            raise ValueError("a cohort needs a name of 1-128 characters")
        members = sorted({check_user_name(member.strip()) for member in members if member.strip()})
        with self._transaction(f"save the cohort '{name}'", write=True) as db:
            row = db.scalar(select(CohortRow).where(CohortRow.name == name))
            if row is None:
                row = CohortRow(name=name, created_by=actor, created_at=utcnow())
                db.add(row)
                db.flush()
            db.query(CohortMemberRow).filter(CohortMemberRow.cohort_id == row.id).delete()
            db.add_all(CohortMemberRow(cohort_id=row.id, trainee=member) for member in members)
            _audit(db, actor, "cohort_saved", str(row.id), {"name": name, "members": members})
            return Cohort(id=row.id, name=name, members=members)

    def list_cohorts(self) -> list[Cohort]:
        with self._transaction("list cohorts") as db:
            members: dict[int, list[str]] = {}
            for member in db.scalars(select(CohortMemberRow)):
                members.setdefault(member.cohort_id, []).append(member.trainee)
            return sorted((Cohort(id=row.id, name=row.name, members=sorted(members.get(row.id, [])))
                           for row in db.scalars(select(CohortRow))), key=lambda c: c.name)

    def get_cohort(self, cohort_id: int) -> Cohort:
        for cohort in self.list_cohorts():
            if cohort.id == cohort_id:
                return cohort
        raise _not_found(f"no cohort with id {cohort_id}")

    # -- assignments --

    def assign_course(self, course_id: int, *, trainee: str | None = None, cohort_id: int | None = None,
                      actor: str) -> Assignment:
        """Give the course to one trainee or to a cohort (its members now and later)."""
        if (trainee is None) == (cohort_id is None):
            raise ValueError("assign the course to a trainee or to a cohort")
        if trainee is not None:
            check_user_name(trainee)
        with self._transaction("assign the course", write=True) as db:
            _course_row(db, course_id)
            if cohort_id is not None and db.get(CohortRow, cohort_id) is None:
                raise _not_found(f"no cohort with id {cohort_id}")
            row = AssignmentRow(course_id=course_id, trainee=trainee, cohort_id=cohort_id, assigned_by=actor,
                                assigned_at=utcnow())
            db.add(row)
            db.flush()
            _audit(db, actor, "course_assigned", str(course_id), {"trainee": trainee, "cohort_id": cohort_id})
            return _assignments(db, [row])[0]

    def remove_assignment(self, assignment_id: int, *, actor: str) -> None:
        """Take a course back from a trainee or cohort; their sessions stay."""
        with self._transaction("remove the assignment", write=True) as db:
            row = db.get(AssignmentRow, assignment_id)
            if row is None:
                raise _not_found(f"no assignment with id {assignment_id}")
            _audit(db, actor, "course_unassigned", str(row.course_id),
                   {"trainee": row.trainee, "cohort_id": row.cohort_id})
            db.delete(row)

    def list_assignments(self, *, trainee: str | None = None,
                         course_id: int | None = None) -> list[Assignment]:
        """All assignments, or those reaching one trainee (directly or through a cohort they are in)."""
        query = select(AssignmentRow).order_by(AssignmentRow.assigned_at, AssignmentRow.id)
        if course_id is not None:
            query = query.where(AssignmentRow.course_id == course_id)
        with self._transaction("list assignments") as db:
            if trainee is not None:
                cohorts = select(CohortMemberRow.cohort_id).where(CohortMemberRow.trainee == trainee)
                query = query.where(or_(AssignmentRow.trainee == trainee,
                                        AssignmentRow.cohort_id.in_(cohorts)))
            return _assignments(db, list(db.scalars(query)))

    def assigned_trainees(self, course_id: int) -> list[str]:
        """Everyone the course reaches, directly or through a cohort, sorted."""
        with self._transaction("list the course's trainees") as db:
            rows = list(db.scalars(select(AssignmentRow).where(AssignmentRow.course_id == course_id)))
            names = {row.trainee for row in rows if row.trainee}
            cohort_ids = [row.cohort_id for row in rows if row.cohort_id is not None]
            if cohort_ids:
                names |= set(db.scalars(select(CohortMemberRow.trainee)
                                        .where(CohortMemberRow.cohort_id.in_(cohort_ids))))
            return sorted(names)

    # -- realism ratings --

    def rate_realism(self, session_id: str, rating: int, comment: str, *, trainee: str) -> RealismRating:
        """The session's trainee rates how realistic it felt, once it has ended; rating again replaces it."""
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            raise ValueError(f"rate realism from 1 to 5, not {rating!r}")
        comment = comment.strip()[:2000]
        with self._transaction("save the rating", write=True) as db:
            session = db.get(SessionRow, session_id)
            if session is None:
                raise _not_found(f"no session with id {session_id!r}")
            if session.trainee != trainee:
                raise ValueError("only the trainee who held the interview rates it")
            if session.status != "ended":
                raise ValueError("rate the interview after its debrief")
            row = db.scalar(select(RealismRatingRow).where(RealismRatingRow.session_id == session_id))
            if row is None:
                row = RealismRatingRow(session_id=session_id, trainee=trainee, persona_id=session.persona_id)
                db.add(row)
            row.rating, row.comment, row.created_at = rating, comment, utcnow()
            db.flush()
            _audit(db, trainee, "realism_rated", session_id, {"rating": rating})
            return RealismRating.model_validate(row, from_attributes=True)

    def list_ratings(self, *, persona_id: str | None = None,
                     trainee: str | None = None) -> list[RealismRating]:
        """Newest first."""
        newest = (RealismRatingRow.created_at.desc(), RealismRatingRow.id.desc())
        query = select(RealismRatingRow).order_by(*newest)
        if persona_id is not None:
            query = query.where(RealismRatingRow.persona_id == persona_id)
        if trainee is not None:
            query = query.where(RealismRatingRow.trainee == trainee)
        with self._transaction("read the ratings") as db:
            return [RealismRating.model_validate(row, from_attributes=True) for row in db.scalars(query)]

    # -- for course status and the effectiveness view --

    def session_outcomes(self, *, trainees: Collection[str] | None = None,
                         persona_ids: Collection[str] | None = None,
                         status: str | None = None) -> list[SessionOutcome]:
        """Sessions oldest first, each with its questions' reviewed tone and recommendation. Only the
        fields needed are read (never the transcript text or the resume snapshot), in four queries
        however many sessions, so a cohort's figures open quickly."""
        filters = ((SessionRow.trainee, trainees), (SessionRow.persona_id, persona_ids))
        conditions = [column.in_(list(values)) for column, values in filters if values is not None]
        if status is not None:
            conditions.append(SessionRow.status == status)
        chosen = select(SessionRow.id).where(*conditions)  # a subquery: no list of ids to bind
        query = (select(SessionRow.id, SessionRow.trainee, SessionRow.persona_id, SessionRow.mode,
                        SessionRow.status, SessionRow.started_at, SessionRow.ended_at,
                        SessionRow.recommended_share, SessionRow.conclusion,
                        SessionRow.summary["facts_disclosed"])
                 .where(*conditions).order_by(SessionRow.started_at, SessionRow.id))
        with self._transaction("read the sessions") as db:
            rows = list(db.execute(query))
            corrected = _latest_overrides(db, chosen, OverrideRow.turn_id.is_(None), ("facts_disclosed",))
            turns = _reviewed_turns(db, chosen)
        return [SessionOutcome(id=id_, trainee=trainee, persona_id=persona_id, mode=mode, status=state,
                               started_at=started, ended_at=ended, recommended_share=share,
                               conclusion=conclusion,
                               facts_disclosed=corrected.get(id_, {}).get("facts_disclosed", facts or []),
                               turns=turns.get(id_, []))
                for id_, trainee, persona_id, mode, state, started, ended, share, conclusion, facts in rows]


REVIEWED_TURN_FIELDS = ("tone", "recommended")


def _reviewed_turns(db: Session, session_ids: Select) -> dict[str, list[dict]]:
    """Each session's questions in order, tone and recommended only, the latest override applied."""
    rows = db.execute(select(TurnRow.id, TurnRow.session_id, TurnRow.assessment["tone"].as_string(),
                             TurnRow.assessment["recommended"].as_boolean())
                      .where(TurnRow.session_id.in_(session_ids)).order_by(TurnRow.session_id, TurnRow.index))
    overrides = _latest_overrides(db, session_ids, OverrideRow.turn_id.is_not(None), REVIEWED_TURN_FIELDS,
                                  by_turn=True)
    turns: dict[str, list[dict]] = {}
    for turn_id, session_id, tone, recommended in rows:
        labels = {"tone": tone, "recommended": bool(recommended), **overrides.get(turn_id, {})}
        turns.setdefault(session_id, []).append(labels)
    return turns


def _latest_overrides(db: Session, session_ids: Select, target, fields: tuple[str, ...], *,
                      by_turn: bool = False) -> dict:
    """{session id (or turn id): {field: the latest override's value}} of the chosen sessions."""
    key = OverrideRow.turn_id if by_turn else OverrideRow.session_id
    rows = db.execute(select(key, OverrideRow.field, OverrideRow.new_value)
                      .where(OverrideRow.session_id.in_(session_ids), target, OverrideRow.field.in_(fields))
                      .order_by(OverrideRow.created_at, OverrideRow.id))
    latest: dict = {}
    for owner, field, value in rows:  # oldest first: the latest wins
        latest.setdefault(owner, {})[field] = value
    return latest


def _spec_columns(spec: CourseSpec) -> dict:
    return {"name": spec.name, "description": spec.description, "refresher_days": spec.refresher_days,
            "items": [item.model_dump(mode="json") for item in spec.items]}


def _course(row: CourseRow) -> Course:
    return Course(id=row.id, name=row.name, description=row.description, items=row.items,
                  refresher_days=row.refresher_days, created_by=row.created_by, created_at=row.created_at,
                  updated_at=row.updated_at)


def _course_row(db: Session, course_id: int) -> CourseRow:
    row = db.get(CourseRow, course_id)
    if row is None:
        raise _not_found(f"no course with id {course_id}")
    return row


def _unique(db: Session, table, name: str, kind: str) -> None:
    if db.scalar(select(table.id).where(table.name == name)) is not None:
        raise ValueError(f"a {kind} named '{name}' already exists")


def _assignments(db: Session, rows: list[AssignmentRow]) -> list[Assignment]:
    courses = {row.id: row.name for row in db.scalars(select(CourseRow))}
    cohorts = {row.id: row.name for row in db.scalars(select(CohortRow))}
    return [Assignment(id=row.id, course_id=row.course_id, course_name=courses[row.course_id],
                       trainee=row.trainee, cohort_id=row.cohort_id, cohort_name=cohorts.get(row.cohort_id),
                       assigned_by=row.assigned_by, assigned_at=row.assigned_at) for row in rows]


def _audit(db: Session, actor: str, action: str, target: str, detail: dict) -> None:
    db.add(AuditRow(actor=actor, action=action, target=target, detail=detail, created_at=utcnow()))


def _not_found(message: str) -> Exception:
    from simulator.storage.store import NotFoundError

    return NotFoundError(message)
