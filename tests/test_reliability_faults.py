"""Faults: a killed server, a failing or stalled chat model, a locked or full database, and load.
Nothing already said is lost, the trainee gets a clear message, and the turn can be retried.
The database faults run on SQLite and on PostgreSQL (the `database` fixture)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.bench_modules import bench_load
from fixtures.engine_fakes import KeywordScorer, small_persona
from sqlalchemy import event
from sqlalchemy.pool import Pool

from simulator.embeddings import HashingEmbedder
from simulator.engine import EngineParams, Session
from simulator.llm.base import ChatModelError
from simulator.llm.fake import FakeChatModel
from simulator.llm.openai_backend import OpenAIChatModel
from simulator.services import Services
from simulator.settings import Settings
from simulator.storage import StorageError, Store

REPO = Path(__file__).resolve().parent.parent
PERSONA = small_persona()
MESSAGES = [{"role": "user", "content": "Tell me about your work."}]


class FailingModel(FakeChatModel):
    """For its first `failures` calls, streams a word and then fails like a backend losing its connection."""

    def __init__(self, failures: int, error: Exception):
        super().__init__(script=["Sorry. I just work here, the boss is out."])
        self.failures, self.error = failures, error

    def stream(self, messages, **params) -> Iterator[str]:
        chunks = super().stream(messages, **params)
        yield next(chunks)  # records the call
        if len(self.calls) <= self.failures:
            raise self.error
        yield from chunks


# -- the chat model --

MODEL_VOICE = EngineParams(voice="actor")  # the chat model words every reply that tells no fact

def test_a_stream_that_breaks_once_is_retried_and_the_turn_completes():
    model = FailingModel(failures=1, error=ChatModelError("connection reset"))
    session = Session(PERSONA, KeywordScorer(), model, params=MODEL_VOICE)
    turn = session.officer_turn("Hello, how are you today?")
    assert turn.reply.startswith("Sorry.") and [r.reason for r in turn.guard_repairs] == ["model_error"]


def test_a_dead_model_gives_a_clear_error_saves_nothing_and_the_turn_can_be_retried():
    model = FailingModel(failures=3, error=ChatModelError("connection reset"))
    session = Session(PERSONA, KeywordScorer(), model, params=MODEL_VOICE)
    state = session.state
    with pytest.raises(ChatModelError, match="not answering"):
        session.officer_turn("Hello, how are you today?")
    assert session.turns == [] and session.state == state
    turn = session.officer_turn("Hello, how are you today?")
    assert turn.index == 0 and turn.reply.startswith("Sorry.")


@pytest.fixture
def services(tmp_path, database):
    personas, rubrics = tmp_path / "personas", tmp_path / "rubrics"
    personas.mkdir()
    rubrics.mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "persona_small.yaml", personas / f"{PERSONA.id}.yaml")
    shutil.copy(REPO / "rubrics" / "default.yaml", rubrics)
    store = Store(database.url, busy_timeout_s=0.2)
    settings = Settings(personas_dir=personas, rubrics_dir=rubrics, data_dir=tmp_path, voice="actor")
    yield Services(settings, chat_model=FailingModel(3, ChatModelError("reset")), embedder=HashingEmbedder(),
                   store=store)
    store.close()


def test_the_practice_handler_reports_a_dead_model_and_keeps_the_session_clean(services):
    from simulator.ui.practice import PracticeHandlers

    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA.id, "practice")
    with pytest.raises(ChatModelError, match="not answering"):
        list(practice.send(interview, "Hello, how are you today?", None))
    assert services.store().get_turns(interview.record_id) == [] and interview.turns == []
    list(practice.send(interview, "Hello, how are you today?", None))
    assert [t.index for t in services.store().get_turns(interview.record_id)] == [0]


class StallingServer:
    """A local OpenAI-compatible endpoint that accepts, sends part of a stream, then stalls or hangs up."""

    def __init__(self, behaviour: str):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        connection, _ = self.sock.accept()
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                           b'data: {"choices": [{"delta": {"content": "I just"}}]}\n\n')
        if self.behaviour == "drop":
            connection.close()
        else:
            self.stop.wait(30)
            connection.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.mark.parametrize("behaviour", ["stall", "drop"])
def test_openai_backend_that_stalls_or_drops_mid_stream_fails_quickly_and_clearly(behaviour):
    server = StallingServer(behaviour)
    model = OpenAIChatModel(server.url, "m", timeout=1.0, connect_timeout=1.0)
    started = time.perf_counter()
    try:
        with pytest.raises(ChatModelError, match="did not answer in time|ended the stream|failed"):
            list(model.stream(MESSAGES))
    finally:
        server.close()
    assert time.perf_counter() - started < 5


def test_openai_backend_whose_server_is_gone_fails_quickly_and_clearly():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # now closed: nothing listens there
    model = OpenAIChatModel(f"http://127.0.0.1:{port}/v1", "m", timeout=30.0, connect_timeout=2.0)
    started = time.perf_counter()
    with pytest.raises(ChatModelError, match="cannot reach"):
        list(model.stream(MESSAGES))
    assert time.perf_counter() - started < 3


# -- the database --

def start_interview(services):
    from simulator.ui.practice import PracticeHandlers

    services._chat_model = FakeChatModel()
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA.id, "practice")
    list(practice.send(interview, "Tell me about your work.", None))
    return practice, interview


def test_a_locked_database_raises_storage_error_and_nothing_is_half_written(services, database):
    store = services.store()
    _, interview = start_interview(services)
    with database.locked(), pytest.raises(StorageError, match="busy.*try again"):
        store.add_turn(interview.record_id, {"officer": "q", "reply": "r", "assessment": {}, "trust": 0.1,
                                             "fear": 0.1, "mode": "guarded"})
    assert [t.officer for t in store.get_turns(interview.record_id)] == ["Tell me about your work."]


@pytest.fixture
def disk_full():
    """Caps every pooled SQLite connection's size at its current pages while `full` is set."""
    state = {"full": False}

    def cap(dbapi_connection, _record, _proxy):
        limit = 1 if state["full"] else 1_073_741_823  # SQLite raises a too-small cap to the current size
        dbapi_connection.execute(f"PRAGMA max_page_count = {limit}")

    event.listen(Pool, "checkout", cap)
    yield state
    event.remove(Pool, "checkout", cap)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # SQLite's page cap stands in for a full disk
def test_a_full_disk_raises_storage_error_and_the_data_survives(services, disk_full):
    store = services.store()
    _, interview = start_interview(services)
    disk_full["full"] = True
    big = {"officer": "x" * 200_000, "reply": "r", "assessment": {}, "trust": 0.1, "fear": 0.1,
           "mode": "guarded"}
    with pytest.raises(StorageError, match="disk is full.*try again"):
        store.add_turn(interview.record_id, big)
    disk_full["full"] = False
    assert len(store.add_turn(interview.record_id, big).officer) == 200_000
    assert len(store.get_turns(interview.record_id)) == 2


def test_a_turn_that_could_not_be_saved_is_kept_and_saved_on_retry(services, database):
    practice, interview = start_interview(services)
    with database.locked(), pytest.raises(StorageError):
        list(practice.send(interview, "Tell me about your hours.", None))
    list(practice.send(interview, "Tell me about your pay.", None))
    stored = [t.officer for t in services.store().get_turns(interview.record_id)]
    assert stored == [t.officer for t in interview.turns]


# -- the server --

@pytest.mark.real_model  # the app loads the embedded embedder
def test_killed_server_keeps_every_turn_and_the_session_resumes(tmp_path, database):
    load = bench_load()
    server = load.Server(tmp_path, database_url=database.url).start()
    try:
        browser = load.Browser(server.url)
        browser.open_page()
        browser.call(browser.dependency("start"), [PERSONA_ID, "practice"])
        sent = ["Tell me about your work.", "Tell me about a normal day."]
        for text in sent:
            browser.call(browser.dependency("send"), [None, text])
        server.kill()
        with Store(server.database_url) as store:
            (record,) = store.list_sessions()
            assert record.status == "active" and [t.officer for t in store.get_turns(record.id)] == sent
        server.start()
        browser = load.Browser(server.url)
        browser.open_page()
        browser.call(browser.dependency("Resume"), [record.id])
        browser.call(browser.dependency("send"), [None, "Tell me about where you sleep."])
        with Store(server.database_url) as store:
            turns = store.get_turns(record.id)
        assert [t.index for t in turns] == [0, 1, 2] and turns[-1].officer == "Tell me about where you sleep."
    finally:
        server.stop()


PERSONA_ID = "lan-nail-salon"


@pytest.mark.real_model  # the app loads the embedded embedder
def test_concurrent_trainees_lose_nothing_and_see_no_errors(tmp_path, database):
    figures = bench_load().run_load(trainees=4, turns=3, model="fake", persona=PERSONA_ID, time_limit_s=240,
                                    data_dir=tmp_path, database_url=database.url)
    assert figures["errors"] == [] and figures["storage_problems"] == []
    assert figures["turns_completed"] == 12
