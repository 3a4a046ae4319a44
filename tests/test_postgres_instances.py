"""Two `interview-sim serve` processes on one PostgreSQL database, as behind a reverse proxy: an
interview started on one instance goes on from the other after the first is killed, and trainees on
both instances at once lose no turn."""

from __future__ import annotations

import pytest
from fixtures.bench_modules import bench_load

from simulator.storage import Store

PERSONA_ID = "lan-nail-salon"

pytestmark = [
    pytest.mark.real_model,  # the app loads the embedded embedder
    pytest.mark.postgres,
    pytest.mark.parametrize("database", ["postgresql"], indirect=True),
]


def signed_in(load, server, name: str):
    """A browser signed in on one instance (sign-ins live in that process's memory)."""
    browser = load.Browser(server.url)
    browser.login(name, load.PASSWORD)
    browser.open_page()
    return browser


def test_an_interview_goes_on_from_another_instance_after_a_crash(tmp_path, database):
    load = bench_load()
    load.add_users(database.url, ["tina"])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = load.Server(tmp_path / "a", database_url=database.url)
    second = load.Server(tmp_path / "b", database_url=database.url)
    sent = ["Tell me about your work.", "Tell me about a normal day."]
    try:
        first.start()
        second.start()
        tab = signed_in(load, first, "tina")
        tab.call(tab.dependency("start"), [PERSONA_ID, "practice"])
        for text in sent:
            tab.call(tab.dependency("send"), [None, text])
        first.kill()  # SIGKILL: no shutdown code runs

        with Store(database.url) as store:
            (record,) = store.list_sessions(trainee="tina")
            assert [turn.officer for turn in store.get_turns(record.id)] == sent
        tab = signed_in(load, second, "tina")
        tab.call(tab.dependency("Resume"), [record.id])
        sent.append("Tell me about where you sleep.")
        tab.call(tab.dependency("send"), [None, sent[-1]])

        first.start()  # back after the crash: it sees what the other instance wrote
        tab = signed_in(load, first, "tina")
        tab.call(tab.dependency("Resume"), [record.id])
        sent.append("Tell me about your pay.")
        tab.call(tab.dependency("send"), [None, sent[-1]])
    finally:
        first.stop()
        second.stop()
    with Store(database.url) as store:
        turns = store.get_turns(record.id)
    assert [turn.index for turn in turns] == [0, 1, 2, 3] and [turn.officer for turn in turns] == sent


def test_trainees_on_two_instances_at_once_lose_no_turn(tmp_path, database):
    figures = bench_load().run_load(trainees=4, turns=3, model="fake", persona=PERSONA_ID, time_limit_s=240,
                                    data_dir=tmp_path, database_url=database.url, instances=2)
    assert figures["errors"] == [] and figures["storage_problems"] == []
    assert figures["turns_completed"] == figures["turns_stored"] == 12
    assert database.query("SELECT count(*) FROM turns") == [(12,)]
