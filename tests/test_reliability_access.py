"""Access over HTTP to a running app with accounts: nothing without signing in, no trainee reaches
another's session or the persona studio, passwords are argon2id, and no unsafe bind without accounts.
The app runs once per database backend (SQLite, PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fixtures.bench_modules import bench_load

from simulator.auth import hash_password, verify_password
from simulator.storage import Store

REPO = Path(__file__).resolve().parent.parent
PERSONA_ID = "lan-nail-salon"
PROTECTED = [
    ("GET", "/config"), ("GET", "/gradio_api/info"), ("GET", "/gradio_api/openapi.json"),
    ("POST", "/gradio_api/queue/join"), ("GET", "/gradio_api/queue/data?session_hash=abc"),
    ("POST", "/gradio_api/upload"), ("GET", "/gradio_api/file=/etc/passwd"),
    ("GET", f"/gradio_api/file={REPO}/personas/{PERSONA_ID}.yaml"), ("POST", "/gradio_api/run/predict"),
    ("POST", "/gradio_api/call/predict"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_database):
    load = bench_load()
    server = load.Server(tmp_path_factory.mktemp("access"), database_url=module_database.url)
    load.add_users(server.database_url, ["tina", "tom"])
    load.add_users(server.database_url, ["ivy"], role="instructor")
    server.start()
    yield load, server
    server.stop()


def signed_in(app, name: str):
    load, server = app
    browser = load.Browser(server.url)
    browser.login(name, load.PASSWORD)
    browser.open_page()
    return browser


@pytest.mark.real_model  # the app loads the embedded embedder
@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_nothing_but_the_login_page_is_served_without_signing_in(app, method, path):
    _, server = app
    body = {"data": [], "fn_index": 1, "session_hash": "abc"}
    response = httpx.request(method, server.url + path, json=body, follow_redirects=False, timeout=30)
    # 404: a file the app never handed out to this (signed-out) requester (simulator/ui/downloads.py)
    assert response.status_code in (401, 403, 404, 302, 303, 307), (response.status_code, response.text[:200])
    assert "Pham Thi Lan" not in response.text


@pytest.mark.real_model  # the app loads the embedded embedder
def test_the_login_page_reveals_no_app_data_and_a_wrong_password_is_refused(app):
    load, server = app
    page = httpx.get(server.url + "/", timeout=30)
    assert page.status_code == 200 and "Pham Thi Lan" not in page.text and PERSONA_ID not in page.text
    with pytest.raises(load.AppError, match="login"):
        load.Browser(server.url).login("tina", "wrong password!")


@pytest.mark.real_model  # the app loads the embedded embedder
def test_a_trainee_cannot_read_or_drive_another_trainees_session(app):
    load, server = app
    tina = signed_in(app, "tina")
    tina.call(tina.dependency("start"), [PERSONA_ID, "practice"])
    tina.call(tina.dependency("send"), [None, "Tell me about your work, Lan. (tina's secret question)"])
    with Store(server.database_url) as store:
        (record,) = store.list_sessions(trainee="tina")
    tom = signed_in(app, "tom")
    table, choices = tom.call(tom.dependency("review-search"), ["tina", "", "any", "any", "", 0])
    assert record.id not in str(table) + str(choices) and "secret question" not in str(table)
    for trigger, data in (("review-open", [record.id]), ("Resume", [record.id])):
        with pytest.raises(load.AppError):
            tom.call(tom.dependency(trigger), data)
    tom.session_hash = tina.session_hash  # even with tina's page session, tom cannot continue her interview
    with pytest.raises(load.AppError, match="another trainee"):
        tom.call(tom.dependency("send"), [None, "Tell me everything you told tina."])
    with Store(server.database_url) as store:
        assert [turn.officer for turn in store.get_turns(record.id)] == [
            "Tell me about your work, Lan. (tina's secret question)"]


@pytest.mark.real_model  # the app loads the embedded embedder
def test_a_trainee_cannot_open_or_save_personas(app):
    load, server = app
    tom = signed_in(app, "tom")
    persona_yaml = (REPO / "personas" / f"{PERSONA_ID}.yaml").read_text().replace(
        f"id: {PERSONA_ID}", "id: planted-by-tom")
    (refusal,) = tom.call(tom.dependency("studio-yaml", "change"), [persona_yaml])  # the validator
    assert "not allowed to use the persona studio" in refusal
    with pytest.raises(load.AppError, match="persona studio"):
        tom.call(tom.dependency("Save", outputs=["studio-persona"]), [persona_yaml])
    assert not (REPO / "personas" / "planted-by-tom.yaml").exists()
    ivy = signed_in(app, "ivy")
    validation = ivy.call(ivy.dependency("studio-yaml", "change"), [persona_yaml])
    assert "Valid persona" in validation[0]


def test_passwords_are_salted_slow_argon2id_hashes():
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second
    costs = dict(item.split("=") for item in first.split("$")[3].split(","))
    assert int(costs["m"]) >= 19_456 and int(costs["t"]) >= 2  # OWASP's minimum for argon2id
    started = time.perf_counter()
    assert verify_password(first, "correct horse battery")[0]
    assert not verify_password(first, "correct horse batterY")[0]
    assert time.perf_counter() - started > 0.01


@pytest.mark.parametrize(("flags", "expected"), [(["--host", "0.0.0.0"], "refusing to listen"),
                                                  (["--share"], "refusing to create a public share link")])
def test_serving_beyond_this_machine_without_accounts_is_refused(tmp_path, flags, expected):
    command = [str(Path(sys.executable).parent / "interview-sim"), "serve", "--port", "0", "--model", "fake"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "INTERVIEW_SIM_DATA_DIR": str(tmp_path)}
    result = subprocess.run([*command, *flags], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode != 0 and expected in result.stderr and "Traceback" not in result.stderr
