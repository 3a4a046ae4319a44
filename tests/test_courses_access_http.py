"""Courses, assignments, ratings and the effectiveness view over HTTP, against the app served in this
process (fake chat model, hashing embedder), on SQLite and PostgreSQL: instructors write courses,
assessors read everything, trainees only what is theirs; the server refuses whatever the page shows."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest
from fixtures.bench_modules import bench_load
from fixtures.http_app import served_app, signed_in

from simulator.auth import PermissionDenied
from simulator.ui.courses import CourseHandlers

PERSONA_ID = "lan-nail-salon"
ITEM = {"persona_id": PERSONA_ID, "mode": "practice", "min_recommended": 0.0,
        "require_correct_conclusion": False}
load = bench_load()


@pytest.fixture
def app(tmp_path, database):
    """Accounts tina and tom (trainees), ada (assessor), ivy (instructor); yields (services, URL)."""
    accounts = {"tina": "trainee", "tom": "trainee", "ada": "assessor", "ivy": "instructor"}
    yield from served_app(tmp_path, database, accounts)


def save_course(page, name: str = "Salon basics"):
    page.call(page.dependency("item-add"), [None, PERSONA_ID, "practice", 0, False])
    return page.call(page.dependency("course-save"), [None, name, "", 0, None])


def test_only_instructors_write_courses_cohorts_and_assignments(app):
    services, url = app
    tina, ada, ivy = signed_in(url, "tina"), signed_in(url, "ada"), signed_in(url, "ivy")
    for refused in (tina, ada):
        with pytest.raises(load.AppError, match="not allowed to write courses"):
            save_course(refused)
        with pytest.raises(load.AppError, match="not allowed to write cohorts"):
            refused.call(refused.dependency("cohort-save"), ["Spring", "tina, tom"])
    assert services.store().list_courses() == []
    save_course(ivy)
    ivy.call(ivy.dependency("cohort-save"), ["Spring", "tina, tom"])
    (course,), (cohort,) = services.store().list_courses(), services.store().list_cohorts()
    ada.open_page()  # the pickers now list the new course and cohort
    with pytest.raises(load.AppError, match="not allowed to assign courses"):
        ada.call(ada.dependency("assign"), [course.id, cohort.id, ""])
    with pytest.raises(load.AppError):  # a trainee's page is never given the course to pick
        tina.call(tina.dependency("assign"), [course.id, cohort.id, ""])
    listed, _ = ivy.call(ivy.dependency("assign"), [course.id, None, "tina"])
    assert "trainee tina" in listed
    opened = ada.call(ada.dependency("course-open"), [course.id])  # reading is allowed
    assert "Salon basics" in opened
    with pytest.raises(load.AppError, match="not allowed to delete courses"):
        ada.call(ada.dependency("course-delete"), [None])
    (assignment,) = services.store().list_assignments()
    assert assignment.trainee == "tina"
    ada.open_page()
    with pytest.raises(load.AppError, match="not allowed to remove assignments"):
        ada.call(ada.dependency("unassign"), [assignment.id])
    ivy.open_page()
    listed, _ = ivy.call(ivy.dependency("unassign"), [assignment.id])
    assert services.store().list_assignments() == [] and "No courses assigned" in listed


def test_a_trainee_sees_and_starts_only_the_courses_given_to_them(app):
    services, url = app
    course = services.store().create_course(
        load_spec("Salon basics"), actor="ivy")
    services.store().assign_course(course.id, trainee="tina", actor="ivy")
    tina, tom = signed_in(url, "tina"), signed_in(url, "tom")
    mine, picker = tina.call(tina.dependency("assignments-refresh"), [])
    assert "Salon basics" in mine and "not started" in mine
    theirs, _ = tom.call(tom.dependency("assignments-refresh"), [])
    assert "Salon basics" not in theirs and "No courses" in theirs
    with pytest.raises(load.AppError):  # tom's page was never offered the course
        tom.call(tom.dependency("start-next"), [course.id])
    with pytest.raises(ValueError, match="not been given to you"):  # and the handler refuses it too
        CourseHandlers(services).next_item(course.id, SimpleNamespace(username="tom"))
    with pytest.raises(PermissionDenied, match="assignments of 'tina'"):
        CourseHandlers(services).progress("tina", SimpleNamespace(username="tom"))
    assert services.store().list_sessions(trainee="tom") == []
    tina.call(tina.dependency("start-next"), [course.id])
    (session,) = services.store().list_sessions(trainee="tina")
    assert (session.persona_id, session.mode) == (PERSONA_ID, "practice")
    for page in (tina, tom):  # the Courses tab's data is for reviewers only
        with pytest.raises(load.AppError, match="not allowed to see training effectiveness"):
            page.call(page.dependency("eff-show"), [None, None])


def test_ratings_reach_reviewers_and_stay_private_among_trainees(app):
    services, url = app
    tina, tom = signed_in(url, "tina"), signed_in(url, "tom")
    with pytest.raises(load.AppError, match="Finish an interview first"):
        tom.call(tom.dependency("realism-save"), [None, 2, "no interview of mine"])
    tina.call(tina.dependency("start"), [PERSONA_ID, "practice"])
    tina.call(tina.dependency("send"), [None, "Tell me about your work."])
    tina.call(tina.dependency("submit-conclusion"), [None, "yes", "labour", []])
    (status,) = tina.call(tina.dependency("realism-save"), [None, 2, "She forgave me too quickly."])
    assert "2/5" in status
    (rating,) = services.store().list_ratings()
    assert (rating.trainee, rating.rating) == ("tina", 2)
    ivy = signed_in(url, "ivy")  # the studio shows it to the persona's authors
    (shown,) = ivy.call(ivy.dependency("ratings-show"), [PERSONA_ID])
    assert "She forgave me too quickly" in shown and "| lan-nail-salon | 1 | 2.0 |" in shown
    handlers = CourseHandlers(services)
    assert [r.comment for r in handlers.ratings(PERSONA_ID, SimpleNamespace(username="ada"))] == [
        "She forgave me too quickly."]
    assert handlers.ratings(PERSONA_ID, SimpleNamespace(username="tom")) == []  # a trainee: only their own
    assert len(handlers.ratings(None, SimpleNamespace(username="tina"))) == 1


def test_the_effectiveness_view_and_its_csv_are_for_reviewers(app):
    services, url = app
    tina, tom, ada = signed_in(url, "tina"), signed_in(url, "tom"), signed_in(url, "ada")
    tina.call(tina.dependency("start"), [PERSONA_ID, "practice"])
    tina.call(tina.dependency("send"), [None, "Tell me about your work."])
    tina.call(tina.dependency("submit-conclusion"), [None, "yes", "labour", []])
    text, plots = ada.call(ada.dependency("eff-show"), [None, None])
    assert "1 trainees, 1 finished interviews" in text and "<svg" in plots
    (files,) = ada.call(ada.dependency("eff-export"), [None, None])
    assert len(files) == 2
    with pytest.raises(load.AppError, match="not allowed to export training effectiveness"):
        tina.call(tina.dependency("eff-export"), [None, None])
    for file in files:
        path = httpx.URL(file["url"]).raw_path.decode()
        assert ada.http.get(path).status_code == 200
        assert tom.http.get(path).status_code == 404 and tina.http.get(path).status_code == 404
    assert services.store().list_audit(action="export_effectiveness")


def load_spec(name: str):
    from simulator.courses import CourseSpec

    return CourseSpec(name=name, items=[ITEM])
