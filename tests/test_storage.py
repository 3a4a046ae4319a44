"""Storage on a real SQLite file and a real PostgreSQL database (the same assertions on both):
migrations, durability, review trail, exports, users, locking, threads and processes."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from argon2 import PasswordHasher
from pydantic import ValidationError
from sqlalchemy import create_engine, inspect

from simulator.auth import Role
from simulator.labels import Assessment
from simulator.settings import Settings
from simulator.storage import NotFoundError, StorageError, Store
from simulator.storage.engine import MIGRATIONS_DIR
from simulator.storage.tables import Base

SESSION_FIELDS = dict(
    persona_id="amira", persona_version="3", persona_hash="p" * 64, rubric_id="default",
    rubric_hash="r" * 64, chat_model="smollm2-135m-instruct", embedder="all-minilm-l6-v2",
)


@pytest.fixture
def store(database):
    with Store(database.url) as opened:
        yield opened


def start(store: Store, trainee: str = "ana", **fields):
    return store.create_session(trainee=trainee, **{**SESSION_FIELDS, **fields})


def turn(index: int | None = None, officer: str = "Can you tell me what happened?", **fields) -> dict:
    data = dict(
        officer=officer, reply="I don't know where to start.",
        assessment={"text": officer, "question_type": "invitation", "tone": "supportive", "recommended": True,
                    "criteria": {"open": 0.8}, "flags": []},
        trust=0.3, fear=0.6, mode="guarded", disclosed=["job_offer"], guard={"repairs": 0},
    )
    if index is not None:
        data["index"] = index
    return {**data, **fields}


# --- schema and durability ------------------------------------------------------------------------

def test_migrations_create_the_schema_the_models_describe(database):
    store = Store(database.url)
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert store.schema_version() == head
    engine = create_engine(database.url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= {
            "users", "sessions", "turns", "rescores", "overrides", "audit_log", "alembic_version"}
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    store.close()
    engine.dispose()


def test_app_instances_opening_a_new_database_at_once_migrate_it_once(database):
    """Several processes starting together on an empty PostgreSQL database must not all create tables."""
    instances = 4
    barrier, opened, errors = threading.Barrier(instances), [], []

    def open_store() -> None:
        barrier.wait()
        try:
            opened.append(Store(database.url))
        except Exception as exc:  # noqa: BLE001 (collected for the assertion)
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(instances)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(opened) == instances
    assert {store.schema_version() for store in opened} == {
        ScriptDirectory.from_config(_alembic_config()).get_current_head()}
    for store in opened:
        store.close()


def test_an_instance_waits_past_its_busy_timeout_for_another_instances_upgrade(tmp_path):
    """Instances starting together queue behind one upgrade even when it outlasts a request's lock wait."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'sim.db'}"
    Store(url).close()
    holder = sqlite3.connect(tmp_path / "sim.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another instance in the middle of its upgrade
    release = threading.Timer(0.6, holder.rollback)
    release.start()
    store = Store(url, busy_timeout_s=0.1)
    release.join()
    holder.close()
    with store._engine.connect() as connection:  # and afterwards a request waits its own time again
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 100
    store.close()


def test_an_instance_opening_a_new_database_locked_past_its_busy_timeout_tries_again(tmp_path):
    """The WAL switch on connecting waits only the request's busy timeout; opening must still queue."""
    import sqlite3

    holder = sqlite3.connect(tmp_path / "sim.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")  # still a rollback-journal file: readers wait too
    release = threading.Timer(0.6, holder.rollback)
    release.start()
    store = Store(f"sqlite:///{tmp_path / 'sim.db'}", busy_timeout_s=0.1)
    release.join()
    holder.close()
    assert store.schema_version() == ScriptDirectory.from_config(_alembic_config()).get_current_head()
    store.close()


def test_sqlite_is_set_up_for_many_threads(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'data' / 'sim.db'}", busy_timeout_s=2.5)
    with store._engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert (pragma("journal_mode"), pragma("foreign_keys"), pragma("busy_timeout")) == ("wal", 1, 2500)
    store.close()
    assert (tmp_path / "data").is_dir()  # the folder is created on first open


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_postgres_waits_for_locks_no_longer_than_the_busy_timeout(database):
    with Store(database.url, busy_timeout_s=2.5) as store, store._engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "2500ms"


def test_default_database_lives_in_the_data_dir(tmp_path):
    settings = Settings.load({"data_dir": tmp_path / "nested" / "data"}, environ={})
    with Store(settings.resolved_database_url) as store:
        assert store.has_users() is False
    assert (tmp_path / "nested" / "data" / "interview-sim.db").is_file()


def test_each_turn_is_committed_at_once_and_survives_a_restart(database):
    store = Store(database.url)
    session = start(store)
    assert len(session.id) == 32 and session.status == "active"
    store.add_turn(session.id, turn(officer="Hello, I am an officer."))
    # Another client sees the turn while the session is still going.
    assert database.query("SELECT officer FROM turns") == [("Hello, I am an officer.",)]
    store.add_turn(session.id, turn())
    store.close()  # the app stops without ending the session

    reopened = Store(database.url)
    turns = reopened.get_turns(session.id)
    assert [t.index for t in turns] == [0, 1]
    assert turns[0].assessment["question_type"] == "invitation" and turns[0].disclosed == ["job_offer"]
    # UTC, whatever zone the server runs in (the throwaway PostgreSQL cluster runs in UTC+12:45).
    assert turns[0].created_at.utcoffset() == timedelta(0)
    assert abs(turns[0].created_at - datetime.now(UTC)) < timedelta(hours=1)
    assert reopened.get_session(session.id).status == "active"
    reopened.close()


def test_resume_reads_the_state_snapshot(store):
    session = start(store, state_snapshot={"trust": 0.2})
    store.add_turn(session.id, turn())
    snapshot = {"trust": 0.35, "fear": 0.5, "disclosed": ["job_offer"]}
    store.update_snapshot(session.id, snapshot)
    resumable = store.list_sessions(trainee="ana", status="active")
    assert [s.id for s in resumable] == [session.id]
    assert store.get_session(session.id).state_snapshot == snapshot


def test_turns_take_explicit_or_next_index_and_accept_an_assessment_model(store):
    session = start(store)
    assessment = Assessment(text="Go on.", question_type="invitation", tone="neutral", recommended=True)
    first = store.add_turn(session.id, turn(assessment=assessment))
    assert first.index == 0 and first.assessment["tone"] == "neutral"
    assert store.add_turn(session.id, turn(index=5)).index == 5
    assert store.add_turn(session.id, turn()).index == 6
    with pytest.raises(ValueError, match="already has a turn with index 5"):
        store.add_turn(session.id, turn(index=5))
    with pytest.raises(ValidationError):
        store.add_turn(session.id, {**turn(), "unknown_key": 1})
    with pytest.raises(NotFoundError):
        store.add_turn("no-such-session", turn())


def test_ending_a_session_stores_the_conclusion_and_closes_it(store):
    session = start(store)
    store.add_turn(session.id, turn())
    conclusion = {"is_trafficking": True, "type": "labour", "indicators": ["debt_bondage"]}
    ended = store.end_session(session.id, conclusion, {"questions": 1}, recommended_share=1.0)
    assert ended.status == "ended" and ended.ended_at >= ended.started_at and ended.turn_count == 1
    assert store.get_session(session.id).conclusion == conclusion
    with pytest.raises(ValueError, match="has ended"):
        store.add_turn(session.id, turn())
    with pytest.raises(ValueError, match="already ended"):
        store.end_session(session.id, conclusion, {}, 1.0)


# --- listing and progress ------------------------------------------------------------------------

def test_list_sessions_filters(store):
    ana_low = start(store, "ana")
    store.end_session(ana_low.id, {}, {}, 0.2)
    ana_high = start(store, "ana", persona_id="dmitri", mode="assessment")
    store.end_session(ana_high.id, {}, {}, 0.9)
    ben_active = start(store, "ben")

    def ids(**filters) -> set[str]:
        return {s.id for s in store.list_sessions(**filters)}

    assert ids() == {ana_low.id, ana_high.id, ben_active.id}
    assert ids(trainee="ana") == {ana_low.id, ana_high.id}
    assert ids(persona_id="dmitri") == {ana_high.id}
    assert ids(mode="assessment") == {ana_high.id}
    assert ids(status="active") == {ben_active.id}
    assert ids(min_score=0.5) == {ana_high.id}
    assert ids(max_score=0.5) == {ana_low.id}
    now = datetime.now(UTC)
    assert ids(since=now - timedelta(hours=1), until=now + timedelta(hours=1)) == ids()
    assert ids(since=now + timedelta(hours=1)) == set()
    assert [s.id for s in store.list_sessions()][0] == ben_active.id  # newest first
    with pytest.raises(ValidationError):
        store.list_sessions(since=datetime.now())  # a timestamp without a zone is ambiguous
    with pytest.raises(ValidationError):
        store.list_sessions(mode="exam")


def test_trainee_progress_lists_scored_sessions_oldest_first(store):
    for share in (0.25, 0.5, 0.75):
        store.end_session(start(store, "ana").id, {}, {}, share)
    start(store, "ana")  # still active: no score yet
    store.end_session(start(store, "ben").id, {}, {}, 0.1)
    assert [p.recommended_share for p in store.trainee_progress("ana")] == [0.25, 0.5, 0.75]


# --- review: overrides and rescoring -------------------------------------------------------------

def test_overrides_keep_the_original_and_build_an_audit_trail(store):
    session = start(store)
    added = store.add_turn(session.id, turn())
    store.add_override(added.id, "question_type", "directive", "closed question in disguise", "rita")
    store.add_override(added.id, "question_type", "option_posing", "it offers options", "sam")
    store.add_override(added.id, "criteria.open", 0.2, "", "rita")

    [reviewed] = store.get_turns(session.id)
    assert reviewed.assessment == added.assessment  # the scorer's labels are never changed
    assert reviewed.effective["question_type"] == "option_posing"
    assert reviewed.effective["criteria"] == {"open": 0.2}
    assert reviewed.effective["tone"] == "supportive"
    history = [(o.field, o.original_value, o.new_value, o.author) for o in reviewed.overrides]
    assert history == [
        ("question_type", "invitation", "directive", "rita"),
        ("question_type", "directive", "option_posing", "sam"),
        ("criteria.open", 0.8, 0.2, "rita"),
    ]
    audit = store.list_audit(action="override")  # newest first
    assert [(entry.actor, entry.detail["to"]) for entry in audit] == [
        ("rita", 0.2), ("sam", "option_posing"), ("rita", "directive")]
    assert {entry.target for entry in audit} == {session.id}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("question_type", "rhetorical", "question_type must be one of"),
    ("tone", "angry", "tone must be one of"),
    ("recommended", "yes", "true or false"),
    ("flags", ["not_a_flag"], "flags must be a list"),
    ("criteria.open", "high", "must be a number"),
    ("text", "rewritten", "cannot override"),
    ("Question Type", "directive", "invalid field"),
])
def test_overrides_reject_values_outside_the_vocabulary(store, field, value, message):
    added = store.add_turn(start(store).id, turn())
    with pytest.raises(ValueError, match=message):
        store.add_override(added.id, field, value, "", "rita")


def test_session_level_override_corrects_the_summary(store):
    session = start(store)
    store.end_session(session.id, {"is_trafficking": False}, {"conclusion_correct": False}, 0.5)
    store.add_override(None, "conclusion_correct", True, "weak indicators", "rita", session_id=session.id)
    store.set_overall_comment(session.id, "Good rapport; fewer yes/no questions.", author="rita")
    reviewed = store.get_session(session.id)
    assert reviewed.summary == {"conclusion_correct": False}
    assert reviewed.effective_summary == {"conclusion_correct": True}
    assert reviewed.overall_comment == "Good rapport; fewer yes/no questions."
    assert {e.action for e in store.list_audit(actor="rita")} == {"override", "overall_comment"}
    with pytest.raises(ValueError, match="either a turn_id"):
        store.add_override(None, "x", 1, "", "rita")


def test_rescoring_keeps_old_scores_beside_new(store):
    session = start(store)
    for _ in range(2):
        store.add_turn(session.id, turn())
    store.add_rescore(session.id, "default-v2", "h2", {0: {"question_type": "directive"}}, actor="ivan")
    store.add_rescore(session.id, "default-v3", "h3", {0: {"question_type": "suggestive"},
                                                       1: {"question_type": "invitation"}}, actor="ivan")
    rescores = store.get_rescores(session.id)
    assert [(r.turn_index, r.rubric_id, r.assessment["question_type"]) for r in rescores] == [
        (0, "default-v2", "directive"), (0, "default-v3", "suggestive"), (1, "default-v3", "invitation")]
    assert [t.assessment["question_type"] for t in store.get_turns(session.id)] == ["invitation"] * 2
    with pytest.raises(NotFoundError, match=r"no turns with index \[7\]"):
        store.add_rescore(session.id, "default-v3", "h3", {7: {}}, actor="ivan")


# --- exports -------------------------------------------------------------------------------------

def test_csv_exports_neutralise_formulas(store):
    session = start(store, "=cmd|' /C calc'!A0")
    store.add_turn(session.id, turn(officer="=HYPERLINK(\"http://evil\")", reply="@SUM(1+1)", trust=-0.25))
    store.add_turn(session.id, turn(officer="+1 and -1 are numbers in text"))
    added = store.get_turns(session.id)[1]
    store.add_override(added.id, "tone", "neutral", "", "rita")
    store.end_session(session.id, {"is_trafficking": True, "type": "labour"}, {}, 0.5)

    turns = list(csv.DictReader(io.StringIO(store.export_turns_csv([session.id], actor="rita"))))
    assert turns[0]["officer"] == "'=HYPERLINK(\"http://evil\")"
    assert turns[0]["reply"] == "'@SUM(1+1)"
    assert turns[0]["trust"] == "-0.25"  # numbers are data, not formulas: left as they are
    assert turns[1]["officer"] == "'+1 and -1 are numbers in text"
    assert (turns[1]["tone"], turns[1]["overridden"]) == ("neutral", "tone")

    sessions = list(csv.DictReader(io.StringIO(
        store.export_sessions_csv(store.list_sessions(), actor="rita"))))
    assert sessions[0]["trainee"] == "'=cmd|' /C calc'!A0"
    assert (sessions[0]["concluded_type"], sessions[0]["turns"]) == ("labour", "2")
    assert {e.action for e in store.list_audit(actor="rita")} >= {"export_turns", "export_sessions"}


# --- users ---------------------------------------------------------------------------------------

def test_users_get_salted_argon2_hashes_and_authenticate(store, database):
    assert store.has_users() is False
    store.add_user("ana", "trainee", "correct horse", actor="admin")
    store.add_user("rita", Role.ASSESSOR, "correct horse", actor="admin")
    hashes = [row[0] for row in database.query("SELECT password_hash FROM users ORDER BY name")]
    assert all(h.startswith("$argon2") for h in hashes) and hashes[0] != hashes[1]
    assert "correct horse" not in "".join(hashes)

    assert store.has_users() is True
    user = store.authenticate("rita", "correct horse")
    assert user is not None and user.name == "rita" and user.roles == {Role.ASSESSOR}
    assert store.authenticate("rita", "wrong horse") is None
    assert store.authenticate("nobody", "correct horse") is None
    assert [u.name for u in store.list_users()] == ["ana", "rita"]
    assert [e.action for e in store.list_audit(actor="rita")] == ["login_failed", "login"]

    store.set_disabled("ana", True, actor="admin")
    assert store.authenticate("ana", "correct horse") is None
    store.set_disabled("ana", False, actor="admin")
    store.set_password("ana", "battery staple", actor="admin")
    assert store.authenticate("ana", "correct horse") is None
    assert store.authenticate("ana", "battery staple") is not None
    store.remove_user("ana", actor="admin")
    assert store.get_user("ana") is None


def test_add_user_rejects_duplicates_bad_roles_names_and_short_passwords(store):
    store.add_user("ana", "trainee", "long enough", actor="admin")
    with pytest.raises(ValueError, match="already exists"):
        store.add_user("ana", "assessor", "long enough", actor="admin")
    with pytest.raises(ValueError, match="unknown role 'admin'"):
        store.add_user("ben", "admin", "long enough", actor="admin")
    with pytest.raises(ValueError, match="invalid user name"):
        store.add_user("../ben", "trainee", "long enough", actor="admin")
    with pytest.raises(ValueError, match="reserved"):
        store.add_user("local", "trainee", "long enough", actor="admin")
    with pytest.raises(ValueError, match="too short"):
        store.add_user("ben", "trainee", "short", actor="admin")
    with pytest.raises(NotFoundError):
        store.remove_user("ben", actor="admin")


def test_login_upgrades_a_hash_made_with_weaker_parameters(store, database):
    store.add_user("ana", "trainee", "correct horse", actor="admin")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse")
    database.query("UPDATE users SET password_hash = :weak WHERE name = 'ana'", weak=weak)
    assert store.authenticate("ana", "correct horse") is not None
    [(upgraded,)] = database.query("SELECT password_hash FROM users WHERE name = 'ana'")
    assert upgraded != weak and not PasswordHasher().check_needs_rehash(upgraded)


# --- failure and concurrency ---------------------------------------------------------------------

def test_a_locked_database_raises_storage_error_and_the_turn_can_be_retried(database):
    store = Store(database.url, busy_timeout_s=0.1)
    session = start(store)
    pending = turn(officer="Do you have your passport?")
    with database.locked(), pytest.raises(StorageError, match="busy.*Nothing was saved"):
        store.add_turn(session.id, pending)
    store.add_turn(session.id, pending)  # the caller kept the data and retries
    assert [t.officer for t in store.get_turns(session.id)] == ["Do you have your passport?"]
    store.close()


def test_many_threads_add_turns_to_their_own_sessions(store):
    sessions = [start(store, f"trainee{n}") for n in range(8)]
    turns_each = 15

    def converse(session_id: str) -> None:
        for n in range(turns_each):
            store.add_turn(session_id, turn(officer=f"{session_id} question {n}"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(converse, [s.id for s in sessions]))

    for session in sessions:
        turns = store.get_turns(session.id)
        assert [t.index for t in turns] == list(range(turns_each))
        assert all(t.officer.startswith(session.id) and t.session_id == session.id for t in turns)


def test_threads_adding_turns_to_one_session_take_the_next_index_in_turn(store):
    """Two tabs (or two app instances) writing one session: each next index is taken once."""
    session = start(store)
    writers, turns_each = 6, 10

    def converse(writer: int) -> None:
        for n in range(turns_each):
            store.add_turn(session.id, turn(officer=f"writer {writer} question {n}"))

    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(converse, range(writers)))

    turns = store.get_turns(session.id)
    assert [t.index for t in turns] == list(range(writers * turns_each))
    for writer in range(writers):
        mine = [t.officer for t in turns if t.officer.startswith(f"writer {writer} ")]
        assert mine == [f"writer {writer} question {n}" for n in range(turns_each)]


def test_concurrent_overrides_of_one_label_keep_an_unbroken_history(store):
    added = store.add_turn(start(store).id, turn())
    tones = ["neutral", "supportive", "neutral", "supportive"] * 3

    def override(n: int) -> None:
        store.add_override(added.id, "tone", tones[n], f"reviewer {n}", f"rita{n}")

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(override, range(len(tones))))

    history = store.get_turns(added.session_id)[0].overrides
    assert len(history) == len(tones) and history[0].original_value == "supportive"
    assert all(later.original_value == earlier.new_value for earlier, later in pairwise(history))


WRITER = """
import sys
from simulator.storage import Store

store = Store(sys.argv[1])
for n in range(100_000):
    store.add_turn(sys.argv[2], {"officer": f"question {n}", "reply": "r", "assessment": {}, "trust": 0.1,
                                 "fear": 0.2, "mode": "guarded"})
    print(n, flush=True)
"""


def test_a_writer_killed_mid_interview_loses_no_finished_turn(database):
    """SIGKILL, as a crash or power cut of the app's machine: no shutdown code runs, and the kill may
    land inside a transaction. Every turn the writer saw committed is there; the session goes on."""
    with Store(database.url) as store:
        session = start(store)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, database.url, session.id],
                              stdout=subprocess.PIPE, text=True)
    finished = [int(writer.stdout.readline()) for _ in range(5)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL and finished == list(range(5))

    with Store(database.url) as store:
        stored = store.get_turns(session.id)
        assert len(stored) >= len(finished)
        assert [t.officer for t in stored] == [f"question {n}" for n in range(len(stored))]
        assert [t.index for t in stored] == list(range(len(stored)))
        assert store.add_turn(session.id, turn()).index == len(stored)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config
