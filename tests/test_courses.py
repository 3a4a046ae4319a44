"""Courses, cohorts, assignments and realism ratings in storage (SQLite and PostgreSQL), and where a
trainee stands on each course item, worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from pydantic import ValidationError

from simulator.courses import CourseItem, CourseSpec, ItemAttempt, item_status, next_item
from simulator.storage import NotFoundError, Store
from simulator.storage.engine import MIGRATIONS_DIR, open_engine

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SESSION_FIELDS = dict(
    persona_version="3", persona_hash="p" * 16, rubric_id="default", rubric_hash="r" * 16,
    chat_model="fake", embedder="hashing",
)


@pytest.fixture
def store(database):
    with Store(database.url) as opened:
        yield opened


def spec(name: str = "Labour basics", refresher_days: int | None = 30) -> CourseSpec:
    return CourseSpec(name=name, refresher_days=refresher_days, items=[
        CourseItem(persona_id="stoyan-farm-worker", min_recommended=0.6),
        CourseItem(persona_id="lan-nail-salon", mode="assessment", require_correct_conclusion=False)])


def test_a_database_from_before_courses_is_upgraded_with_its_sessions_kept(database):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = open_engine(database.url, busy_timeout_s=5)  # makes the SQLite file's folder
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    database.query(
        "INSERT INTO sessions (id, trainee, persona_id, persona_version, persona_hash, rubric_id, "
        "rubric_hash, chat_model, embedder, app_version, mode, status, started_at, overall_comment) "
        "VALUES ('s1', 'tina', 'lan-nail-salon', '1', 'p', 'default', 'r', 'fake', 'hashing', '0', "
        "'practice', 'ended', '2026-03-01 09:00:00', '')")
    with Store(database.url) as store:
        assert store.schema_version() == "0002"
        assert [s.id for s in store.list_sessions(trainee="tina")] == ["s1"]
        store.create_course(spec(), actor="ivy")
        assert [c.name for c in store.list_courses()] == ["Labour basics"]


def test_a_course_keeps_its_items_in_order_and_names_are_unique(store):
    course = store.create_course(spec(), actor="ivy")
    assert [item.persona_id for item in store.get_course(course.id).items] == [
        "stoyan-farm-worker", "lan-nail-salon"]
    assert store.get_course(course.id).items[1].mode == "assessment"
    with pytest.raises(ValueError, match="already exists"):
        store.create_course(spec(), actor="ivy")
    updated = store.update_course(course.id, spec(name="Labour basics 2", refresher_days=None), actor="ivy")
    assert updated.name == "Labour basics 2" and updated.refresher_days is None
    actions = [entry.action for entry in store.list_audit(actor="ivy")]
    assert actions[:2] == ["course_updated", "course_created"]
    store.delete_course(course.id, actor="ivy")
    with pytest.raises(NotFoundError):
        store.get_course(course.id)


def test_course_specs_refuse_bad_items():
    with pytest.raises(ValidationError):
        CourseSpec(name="x", items=[])
    with pytest.raises(ValidationError):
        CourseItem(persona_id="../etc/passwd")
    with pytest.raises(ValidationError):
        CourseItem(persona_id="lan-nail-salon", min_recommended=1.5)
    with pytest.raises(ValidationError):
        CourseSpec(name="x", items=[CourseItem(persona_id="lan-nail-salon")], refresher_days=0)


def test_a_cohort_assignment_reaches_its_members_now_and_later(store):
    course = store.create_course(spec(), actor="ivy")
    cohort = store.save_cohort("Spring intake", ["tina", "tom"], actor="ivy")
    store.assign_course(course.id, cohort_id=cohort.id, actor="ivy")
    other = store.create_course(spec(name="Other"), actor="ivy")
    store.assign_course(other.id, trainee="tom", actor="ivy")
    assert [a.course_name for a in store.list_assignments(trainee="tina")] == ["Labour basics"]
    assert [a.course_name for a in store.list_assignments(trainee="tom")] == ["Labour basics", "Other"]
    assert store.list_assignments(trainee="uma") == []
    store.save_cohort("Spring intake", ["tina", "tom", "uma"], actor="ivy")  # a late joiner
    assert [a.course_name for a in store.list_assignments(trainee="uma")] == ["Labour basics"]
    assert store.assigned_trainees(course.id) == ["tina", "tom", "uma"]
    assert store.assigned_trainees(other.id) == ["tom"]
    with pytest.raises(ValueError, match="trainee or to a cohort"):
        store.assign_course(course.id, trainee="tina", cohort_id=cohort.id, actor="ivy")
    with pytest.raises(NotFoundError):
        store.assign_course(course.id, cohort_id=cohort.id + 99, actor="ivy")
    (direct,) = [a for a in store.list_assignments(trainee="tom") if a.course_name == "Other"]
    store.remove_assignment(direct.id, actor="ivy")
    assert [a.course_name for a in store.list_assignments(trainee="tom")] == ["Labour basics"]
    assert store.list_audit(action="course_unassigned")[0].detail == {"trainee": "tom", "cohort_id": None}
    with pytest.raises(NotFoundError):
        store.remove_assignment(direct.id, actor="ivy")
    store.delete_course(course.id, actor="ivy")
    assert store.list_assignments(trainee="uma") == []


def test_only_the_trainee_rates_an_ended_interview_once(store):
    session = store.create_session(trainee="tina", persona_id="lan-nail-salon", **SESSION_FIELDS)
    with pytest.raises(ValueError, match="after its debrief"):
        store.rate_realism(session.id, 4, "", trainee="tina")
    store.end_session(session.id, conclusion={}, summary={}, recommended_share=0.5)
    with pytest.raises(ValueError, match="only the trainee"):
        store.rate_realism(session.id, 4, "", trainee="tom")
    for bad in (0, 6, True):
        with pytest.raises(ValueError, match="1 to 5"):
            store.rate_realism(session.id, bad, "", trainee="tina")
    store.rate_realism(session.id, 2, "  She answered too quickly.  ", trainee="tina")
    store.rate_realism(session.id, 3, "On second thought, fine.", trainee="tina")  # replaces
    (rating,) = store.list_ratings(persona_id="lan-nail-salon")
    assert (rating.rating, rating.comment, rating.trainee) == (3, "On second thought, fine.", "tina")
    assert store.list_ratings(trainee="tom") == []


def test_session_outcomes_carry_the_reviewed_labels_without_the_transcript(store):
    session = store.create_session(trainee="tina", persona_id="lan-nail-salon", **SESSION_FIELDS)
    for officer, tone in (("Tell me about your work.", "supportive"), ("Why didn't you leave?", "neutral")):
        store.add_turn(session.id, dict(officer=officer, reply="...", trust=0.3, fear=0.5, mode="guarded",
                                        assessment={"tone": tone, "recommended": tone == "supportive",
                                                    "evidence": {"cues": ["x"] * 50}}))
    store.create_session(trainee="tom", persona_id="lan-nail-salon", **SESSION_FIELDS)
    second = store.get_turns(session.id)[1]
    store.add_override(second.id, "tone", "harmful", "blaming", "ada")
    store.add_override(second.id, "recommended", True, "on reflection", "ada")
    store.end_session(session.id, conclusion={"likely_victim": "yes"},
                      summary={"facts_disclosed": ["job_offer", "debt"]}, recommended_share=0.5)
    store.add_override(None, "facts_disclosed", ["job_offer"], "debt was never said", "ada",
                       session_id=session.id)
    (outcome,) = store.session_outcomes(trainees=["tina"])
    assert outcome.turns == [{"tone": "supportive", "recommended": True},
                             {"tone": "harmful", "recommended": True}]
    assert outcome.recommended_share == 1.0  # the session's share follows the override too
    assert outcome.facts_disclosed == ["job_offer"] and outcome.conclusion == {"likely_victim": "yes"}
    assert [o.trainee for o in store.session_outcomes()] == ["tina", "tom"]  # oldest first
    assert store.session_outcomes(status="ended", persona_ids=["stoyan-farm-worker"]) == []


# -- item status: pure, by hand --

ITEM = CourseItem(persona_id="lan-nail-salon", min_recommended=0.6)


def attempt(n: int, status: str = "ended", share: float | None = 0.7, correct: bool | None = True,
            day: int = 1) -> ItemAttempt:
    started = T0 + timedelta(days=day, minutes=n)
    return ItemAttempt(session_id=f"s{n}", status=status, started_at=started,
                       ended_at=started + timedelta(minutes=20) if status == "ended" else None,
                       recommended_share=share if status == "ended" else None,
                       conclusion_correct=correct if status == "ended" else None)


def status(attempts, now_days: float = 2, refresher: int | None = None, item: CourseItem = ITEM):
    return item_status(1, item, attempts, T0, refresher, T0 + timedelta(days=now_days))


def test_item_states_follow_the_sessions_since_assignment():
    assert status([]).state == "not started"
    early = attempt(1, day=-1)  # before the course was assigned: does not count
    assert status([early]).state == "not started"
    assert status([attempt(2, status="active")]).state == "in progress"
    assert status([attempt(3, status="discarded")]).state == "not started"
    low = attempt(4, share=0.59)
    wrong = attempt(5, share=0.9, correct=False)
    assert status([low, wrong]).state == "needs another try"
    assert status([low, wrong]).attempts == 2 and status([low, wrong]).best_recommended == 0.9
    lenient = ITEM.model_copy(update={"require_correct_conclusion": False})
    assert status([wrong], item=lenient).state == "passed"
    exact = attempt(6, share=0.6)  # the threshold itself passes
    assert status([low, exact, attempt(7, status="active")]).state == "passed"


def test_a_refresher_comes_due_a_week_before_and_is_overdue_from_its_date():
    passed = attempt(1, day=1)  # ends T0 + 1 day + 21 minutes
    due = passed.ended_at + timedelta(days=30)
    result = status([passed], now_days=20, refresher=30)
    assert (result.state, result.refresher_at) == ("passed", due)
    assert status([passed], now_days=24, refresher=30).state == "passed"  # due T0+31d 21 min: notice from 24d
    assert status([passed], now_days=24.5, refresher=30).state == "refresher due"
    assert status([passed], now_days=31.1, refresher=30).state == "refresher overdue"
    again = attempt(2, day=31)  # passed again: the next refresher is 30 days from this one
    assert status([passed, again], now_days=32, refresher=30).state == "passed"
    assert status([passed], now_days=400).state == "passed"  # no refresher interval: a pass stays
    short = status([passed], now_days=2.5, refresher=2)  # notice is at most half the interval
    assert short.state == "refresher due"


def test_start_next_opens_the_first_unpassed_item_then_a_due_refresher():
    passed, failed = attempt(1), attempt(2, share=0.1)
    other = CourseItem(persona_id="stoyan-farm-worker")
    items = [item_status(1, ITEM, [passed], T0, 30, T0 + timedelta(days=2)),
             item_status(2, other, [failed], T0, 30, T0 + timedelta(days=2))]
    assert next_item(items).position == 2
    late = [item_status(1, ITEM, [passed], T0, 30, T0 + timedelta(days=40))]
    assert next_item(late).state == "refresher overdue"
    assert next_item([item_status(1, ITEM, [passed], T0, 30, T0 + timedelta(days=2))]) is None
