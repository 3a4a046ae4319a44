"""Courses, cohorts, assignments, realism ratings and the effectiveness view: the handlers.

Every rule is checked here, on the server, whatever the page shows: instructors write courses and
cohorts and assign them; assessors (and instructors) read every course, assignment, rating and figure;
a trainee reads only the courses given to them, their own standing and ratings, and rates only their
own finished interviews.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import gradio as gr
from pydantic import BaseModel, ConfigDict, ValidationError

from simulator.attempts import ended_attempts, item_attempts, judge_all
from simulator.auth import User, can_manage_courses, can_review, require
from simulator.courses import (
    Assignment,
    Cohort,
    Course,
    CourseItem,
    CourseSpec,
    ItemStatus,
    RealismRating,
    item_status,
    next_item,
)
from simulator.datafiles import format_validation_error
from simulator.services import Services
from simulator.ui.effectiveness_view import Effectiveness
from simulator.ui.handlers import current_user


class CourseProgress(BaseModel):
    """Where one trainee stands on one course given to them."""

    model_config = ConfigDict(frozen=True)

    course: Course
    assigned_at: datetime
    items: list[ItemStatus]

    @property
    def next(self) -> ItemStatus | None:
        return next_item(self.items)


class CourseHandlers:
    def __init__(self, services: Services):
        self.services = services

    def _user(self, request: gr.Request | None) -> User:
        return current_user(self.services, request)

    def _instructor(self, request: gr.Request | None, action: str) -> User:
        user = self._user(request)
        require(can_manage_courses(user), user, action)
        return user

    def _reviewer(self, request: gr.Request | None, action: str) -> User:
        user = self._user(request)
        require(can_review(user), user, action)
        return user

    # -- instructors --

    def save_course(self, course_id: int | None, name: str, description: str, refresher_days: int | None,
                    items: list[dict], request: gr.Request | None = None) -> Course:
        """Create a course (no id) or replace one; every persona must exist."""
        user = self._instructor(request, "write courses")
        try:
            spec = CourseSpec(name=name or "", description=description or "", items=items or [],
                              refresher_days=refresher_days or None)
        except ValidationError as exc:
            raise ValueError(format_validation_error(exc)) from exc
        personas = self.services.personas()
        missing = [item.persona_id for item in spec.items if item.persona_id not in personas]
        if missing:
            raise ValueError(f"No persona with id {', '.join(missing)}; pick personas from the list.")
        store = self.services.store()
        if course_id is None:
            return store.create_course(spec, actor=user.name)
        return store.update_course(course_id, spec, actor=user.name)

    def delete_course(self, course_id: int | None, request: gr.Request | None = None) -> None:
        user = self._instructor(request, "delete courses")
        if course_id is None:
            raise ValueError("Open a saved course first.")
        self.services.store().delete_course(course_id, actor=user.name)

    def save_cohort(self, name: str, members: list[str], request: gr.Request | None = None) -> Cohort:
        user = self._instructor(request, "write cohorts")
        return self.services.store().save_cohort(name, members, actor=user.name)

    def assign(self, course_id: int, trainee: str | None, cohort_id: int | None,
               request: gr.Request | None = None) -> Assignment:
        user = self._instructor(request, "assign courses")
        return self.services.store().assign_course(course_id, trainee=trainee or None, cohort_id=cohort_id,
                                                   actor=user.name)

    def remove_assignment(self, assignment_id: int | None, request: gr.Request | None = None) -> None:
        user = self._instructor(request, "remove assignments")
        if assignment_id is None:
            raise ValueError("Pick the assignment to remove.")
        self.services.store().remove_assignment(assignment_id, actor=user.name)

    # -- reading --

    def reviewing(self, request: gr.Request | None = None) -> bool:
        """Whether the signed-in user reads every course and figure (the Courses tab is theirs)."""
        return can_review(self._user(request))

    def persona_ids(self, request: gr.Request | None = None) -> list[str]:
        self._reviewer(request, "list personas for courses")
        return self.services.personas().names()

    def courses(self, request: gr.Request | None = None) -> list[Course]:
        """Reviewers: every course. Trainees: the courses given to them."""
        user = self._user(request)
        store = self.services.store()
        if can_review(user):
            return store.list_courses()
        given = {a.course_id for a in store.list_assignments(trainee=user.name)}
        return [course for course in store.list_courses() if course.id in given]

    def cohorts(self, request: gr.Request | None = None) -> list[Cohort]:
        self._reviewer(request, "read cohorts")
        return self.services.store().list_cohorts()

    def assignments(self, request: gr.Request | None = None) -> list[Assignment]:
        self._reviewer(request, "read every assignment")
        return self.services.store().list_assignments()

    def progress(self, trainee: str = "", request: gr.Request | None = None,
                 now: datetime | None = None) -> list[CourseProgress]:
        """A trainee's standing on each course given to them (their own; reviewers name anyone)."""
        user = self._user(request)
        trainee = trainee.strip() or user.name
        require(can_review(user) or trainee == user.name, user, f"see the assignments of '{trainee}'")
        store = self.services.store()
        first_given: dict[int, datetime] = {}
        for assignment in store.list_assignments(trainee=trainee):
            first_given.setdefault(assignment.course_id, assignment.assigned_at)
        if not first_given:
            return []
        courses = {course.id: course for course in store.list_courses() if course.id in first_given}
        sessions = store.session_outcomes(trainees=[trainee])
        judged = {a.session_id: a for a in judge_all(sessions, self.services.personas())}
        now = now or datetime.now(UTC)
        result = []
        for course_id, course in sorted(courses.items(), key=lambda pair: first_given[pair[0]]):
            items = []
            for position, item in enumerate(course.items, start=1):
                mine = [s for s in sessions if s.persona_id == item.persona_id and s.mode == item.mode]
                items.append(item_status(position, item, item_attempts(mine, judged), first_given[course_id],
                                         course.refresher_days, now))
            result.append(CourseProgress(course=course, assigned_at=first_given[course_id], items=items))
        return result

    def next_item(self, course_id: int, request: gr.Request | None = None) -> CourseItem:
        """The item "Start next" opens, on a course given to the signed-in trainee."""
        user = self._user(request)
        for progress in self.progress(user.name, request):
            if progress.course.id == course_id:
                upcoming = progress.next
                if upcoming is None:
                    raise ValueError(f"Every item of '{progress.course.name}' is passed; nothing is due yet.")
                return upcoming.item
        raise ValueError("That course has not been given to you.")

    # -- realism ratings --

    def rate(self, session_id: str | None, rating: int | None, comment: str,
             request: gr.Request | None = None) -> RealismRating:
        """The trainee rates their own finished interview (the store refuses anyone else's)."""
        user = self._user(request)
        if not session_id:
            raise ValueError("Finish an interview first: the rating comes after the debrief.")
        if rating is None:
            raise ValueError("Pick a rating from 1 (not realistic) to 5 (very realistic).")
        return self.services.store().rate_realism(session_id, int(rating), comment or "", trainee=user.name)

    def ratings(self, persona_id: str | None = None,
                request: gr.Request | None = None) -> list[RealismRating]:
        """Reviewers read every rating; a trainee only their own."""
        user = self._user(request)
        mine = None if can_review(user) else user.name
        return self.services.store().list_ratings(persona_id=persona_id or None, trainee=mine)

    # -- effectiveness --

    def effectiveness(self, course_id: int | None, cohort_id: int | None,
                      request: gr.Request | None = None) -> Effectiveness:
        """Figures for a course's trainees and personas, narrowed to a cohort when one is picked."""
        self._reviewer(request, "see training effectiveness")
        store, personas = self.services.store(), self.services.personas()
        trainees: set[str] | None = None
        persona_ids = personas.names()
        scope = []
        if course_id is not None:
            course = store.get_course(course_id)
            trainees = set(store.assigned_trainees(course_id))
            persona_ids = list(dict.fromkeys(item.persona_id for item in course.items))
            scope.append(f"course {course.name}")
        if cohort_id is not None:
            cohort = store.get_cohort(cohort_id)
            trainees = set(cohort.members) if trainees is None else trainees & set(cohort.members)
            scope.append(f"cohort {cohort.name}")
        attempts = ended_attempts(store, personas, trainees, persona_ids)
        seen = {a.persona_id for a in attempts}
        return Effectiveness(scope="Training effectiveness: " + (", ".join(scope) or "every trainee"),
                             attempts=attempts,
                             persona_ids=[p for p in persona_ids if p in seen or course_id is not None])

    def export_effectiveness(self, course_id: int | None, cohort_id: int | None,
                             request: gr.Request | None = None) -> list[Path]:
        """The attempts and the curves as CSV, for reviewers only; the export is audited."""
        user = self._reviewer(request, "export training effectiveness")
        view = self.effectiveness(course_id, cohort_id, request)
        folder = Path(tempfile.mkdtemp(prefix="interview-sim-"))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        paths = [folder / f"effectiveness-attempts-{stamp}.csv", folder / f"effectiveness-curves-{stamp}.csv"]
        paths[0].write_text(view.attempts_csv(), encoding="utf-8")
        paths[1].write_text(view.curves_csv(), encoding="utf-8")
        self.services.store().audit(user.name, "export_effectiveness", "",
                                    {"course_id": course_id, "cohort_id": cohort_id,
                                     "sessions": len(view.attempts)})
        self.services.downloads.grant(paths, can_review)
        return paths
