"""Access rules over HTTP against the app served in this process (fake chat model, hashing embedder):
single-user mode is never entered at runtime, sign-in is throttled, downloads reach only their owner
and reviewers, and the server's route schema is not public."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from fixtures.bench_modules import bench_load
from fixtures.http_app import served_app, signed_in

from simulator.login_throttle import ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES
from simulator.ui.signin import MAX_PER_ADDRESS, HashGate, authenticator

PERSONA_ID = "lan-nail-salon"
load = bench_load()


@pytest.fixture
def app(tmp_path, database):
    """The app with accounts tina, tom (trainees), ada (assessor); yields (services, base URL)."""
    yield from served_app(tmp_path, database, {"tina": "trainee", "tom": "trainee", "ada": "assessor"})


def test_removing_the_last_account_at_runtime_never_opens_single_user_mode(app):
    services, url = app
    tina = signed_in(url, "tina")
    for name in ("tom", "ada", "tina"):
        services.store().remove_user(name, actor="test")
    assert not services.store().has_users()
    with pytest.raises(load.AppError, match="does not exist"):
        tina.call(tina.dependency("studio-refresh"), [])  # the persona list, with every hidden fact
    with pytest.raises(load.AppError, match="does not exist"):
        tina.call(tina.dependency("start"), [PERSONA_ID, "practice"])
    assert httpx.get(url + "/config", timeout=10).status_code == 401  # still signed out for everyone else


def test_failed_sign_ins_lock_the_account_then_the_lock_is_audited(app):
    services, url = app
    with httpx.Client(base_url=url, timeout=30) as client:
        def attempt(name, password):
            return client.post("/login", data={"username": name, "password": password})

        codes = [attempt("tina", "wrong password").status_code for _ in range(ACCOUNT_FREE_FAILURES)]
        assert codes == [400] * ACCOUNT_FREE_FAILURES
        started = time.perf_counter()
        locked = attempt("tina", load.PASSWORD)  # even the right password waits out the lock
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
        assert time.perf_counter() - started < 0.05, "a locked attempt is refused before any hashing"
        assert attempt("tom", load.PASSWORD).status_code == 200  # other accounts are not locked
    (entry,) = services.store().list_audit(action="login_locked")
    assert entry.target == "tina" and entry.detail["failures"] == ACCOUNT_FREE_FAILURES


def test_a_flood_of_sign_ins_locks_its_address_and_not_the_others(app):
    services, url = app
    codes: list[int] = []

    def flood(thread: int):
        transport = httpx.HTTPTransport(local_address="127.0.0.2")  # the flood comes from its own address
        with httpx.Client(base_url=url, timeout=60, transport=transport) as client:
            for i in range(10):
                data = {"username": f"guess{thread}-{i}", "password": "wrong password"}
                codes.append(client.post("/login", data=data).status_code)

    threads = [threading.Thread(target=flood, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    with httpx.Client(base_url=url, timeout=60) as client:  # a genuine sign-in from another address
        assert client.post("/login", data={"username": "ada", "password": load.PASSWORD}).status_code == 200
    for thread in threads:
        thread.join()
    checked = codes.count(400)  # hashed and refused; those queued when the lock began are refused unhashed
    assert ADDRESS_FREE_FAILURES <= checked <= ADDRESS_FREE_FAILURES + MAX_PER_ADDRESS
    assert set(codes) <= {400, 429, 503} and 429 in codes  # the rest: locked out, or no place left
    locks = services.store().list_audit(action="login_locked")
    assert locks and all(lock.target == "127.0.0.2" and lock.detail["kind"] == "address" for lock in locks)


def test_the_event_loop_runs_on_while_a_password_is_checked():
    """Gradio awaits the check on the server's event loop: a check that hashed there (as a plain function
    does) would hold every page of the app for each password tried."""
    class SlowStore:
        def authenticate(self, name, password):
            time.sleep(0.5)  # an argon2 hash on a busy machine
            return None

        def audit(self, *args):
            pass

    async def measure():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.create_task(ticker())
        assert await authenticator(SlowStore())("tina", "wrong password") is False
        ticking.cancel()
        return ticks

    assert asyncio.run(measure()) > 10


def test_the_hash_gate_bounds_concurrent_checks_and_shares_them_between_addresses():
    busy: dict[str, int] = {}
    most: dict[str, int] = {}
    order: list[str] = []

    def check(address):
        busy[address] = busy.get(address, 0) + 1
        most[address] = max(most.get(address, 0), busy[address])
        most["all"] = max(most.get("all", 0), sum(busy.values()))
        time.sleep(0.05)
        order.append(address)
        busy[address] -= 1
        return True

    async def flood():
        gate = HashGate(slots=2, waiting=6, per_address=4)
        flood_attempts = [gate.run("10.0.0.9", check, "10.0.0.9") for _ in range(6)]
        genuine = [gate.run(f"10.0.0.{n}", check, f"10.0.0.{n}") for n in (1, 2)]
        return await asyncio.gather(*flood_attempts, *genuine, return_exceptions=True)

    results = asyncio.run(flood())
    assert most["all"] == 2 and most["10.0.0.9"] == 1  # two hashes at once, one per address
    assert results[:4] == [True] * 4 and all(getattr(r, "status_code", None) == 503 for r in results[4:6])
    assert results[6:] == [True, True]  # the others were neither turned away nor kept behind the flood
    assert order.index("10.0.0.1") < 3 and order.index("10.0.0.2") < 4


def test_a_download_reaches_only_its_trainee_and_reviewers(app):
    _, url = app
    tina = signed_in(url, "tina")
    tina.call(tina.dependency("start"), [PERSONA_ID, "practice"])
    tina.call(tina.dependency("send"), [None, "Tell me about your work."])
    outputs = tina.call(tina.dependency("submit-conclusion"), [None, "yes", "labour", []])
    files = next(output for output in outputs if isinstance(output, list))
    links = [file["url"] for file in files]
    assert len(links) == 3 and any(link.endswith(".json") for link in links)
    tom, ada = signed_in(url, "tom"), signed_in(url, "ada")
    for link in links:
        path = httpx.URL(link).raw_path.decode()
        assert tina.http.get(path).status_code == 200
        assert ada.http.get(path).status_code == 200
        refused = tom.http.get(path)
        assert refused.status_code == 404 and "Tell me about your work" not in refused.text
        assert httpx.get(url + path, timeout=10).status_code in (401, 404)


def test_the_route_schema_is_not_public(app):
    _, url = app
    for path in ("/openapi.json", "/docs", "/redoc", "/gradio_api/openapi.json"):
        assert httpx.get(url + path, timeout=10).status_code in (401, 404), path


def test_only_instructors_upload(app):
    services, url = app
    services.store().add_user("ivy", "instructor", load.PASSWORD, actor="test")
    card = {"files": ("card.json", b'{"spec": "chara_card_v2"}', "application/json")}
    tina, ivy = signed_in(url, "tina"), signed_in(url, "ivy")
    assert tina.http.post("/gradio_api/upload", files=card).status_code == 403
    assert httpx.post(url + "/gradio_api/upload", files=card, timeout=10).status_code in (401, 403)
    assert ivy.http.post("/gradio_api/upload", files=card).status_code == 200
