"""Load test: N simulated trainees interview personas at once through a running app, as browsers do.

Starts `interview-sim serve` on a free loopback port with a fresh data folder and one account per
trainee, then each trainee signs in, opens the page, starts an interview and sends its questions
over Gradio's queue protocol (the same calls the page makes). Reports errors (must be 0), the median
and 95th-percentile turn latency, and checks in the database that every turn of every trainee was
stored, in order, in that trainee's own session. Bounded in trainees, turns and seconds.

    .venv/bin/python bench/load.py --trainees 20 --turns 10 --model fake
    .venv/bin/python bench/load.py --trainees 5 --turns 5 --model smollm2-135m-instruct
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "interview-sim"
PASSWORD = "load-test-password"
QUESTIONS = [
    "My name is Sam, I am a police officer. Take your time, you can stop whenever you like.",
    "Tell me about your work here.",
    "Tell me about a normal day, from when you wake up.",
    "Tell me about where you sleep.",
    "I understand this is hard. Tell me about your pay.",
    "Tell me about your documents.",
    "Tell me about how you came to this country.",
    "What happens if you want to leave?",
    "Tell me more about the people you work for.",
    "Is there anything else you want to tell me?",
]


class AppError(RuntimeError):
    """The app answered a call with an error or a warning message, as the page would show it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """An `interview-sim serve` subprocess on loopback with its own data folder."""

    data_dir: Path
    model: str = "fake"
    port: int = field(default_factory=free_port)
    launcher: list[str] = field(default_factory=lambda: [str(CLI)])  # the program `serve ...` is passed to
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'interview-sim.db'}"

    def start(self, timeout_s: float = 180.0, environ: dict[str, str] | None = None) -> Server:
        env = {**(os.environ if environ is None else environ), "INTERVIEW_SIM_DATA_DIR": str(self.data_dir)}
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(
            [*self.launcher, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--model", self.model],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/config", timeout=2).status_code in (200, 401):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the server did not answer within {timeout_s:.0f} s:\n{self.log()}")

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL, as a crash or power cut would: no shutdown code runs."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def add_users(database_url: str, names: list[str], role: str = "trainee") -> None:
    from simulator.storage import Store

    with Store(database_url) as store:
        for name in names:
            store.add_user(name, role, PASSWORD, actor="load-test")


class Browser:
    """One browser tab: a cookie jar, a Gradio session hash, and the page's calls by fn_index."""

    def __init__(self, url: str, timeout_s: float = 120.0):
        self.http = httpx.Client(base_url=url, timeout=timeout_s)
        self.session_hash = uuid.uuid4().hex[:12]
        self._config: dict | None = None

    def close(self) -> None:
        self.http.close()

    def login(self, name: str, password: str) -> None:
        response = self.http.post("/login", data={"username": name, "password": password})
        if response.status_code != 200:
            raise AppError(f"login as {name} failed: HTTP {response.status_code} {response.text[:200]}")

    @property
    def config(self) -> dict:
        if self._config is None:
            response = self.http.get("/config")
            response.raise_for_status()
            self._config = response.json()
        return self._config

    def _elem_id(self, component_id: int) -> str:
        """A component's elem_id, else a button's label, else its type."""
        for component in self.config["components"]:
            if component["id"] == component_id:
                props = component.get("props", {})
                label = props.get("value") if component["type"] == "button" else None
                return props.get("elem_id") or label or component["type"]
        raise KeyError(component_id)

    def dependency(self, trigger: str, event: str = "click", outputs: list[str] | None = None) -> dict:
        """The page's event for `trigger` (an elem_id, a button label or a component type) and `event`."""
        for dependency in self.config["dependencies"]:
            for target_id, target_event in dependency["targets"]:
                if target_event != event or self._elem_id(target_id) != trigger:
                    continue
                if outputs is None or [self._elem_id(i) for i in dependency["outputs"]] == outputs:
                    return dependency
        raise KeyError(f"no {event} event on {trigger!r} with outputs {outputs}")

    def open_page(self) -> list[list]:
        """Run the page-load events, as the browser does: they fill the per-session choices."""
        loads = [d for d in self.config["dependencies"] if any(e == "load" for _, e in d["targets"])]
        return [self.call(d, []) for d in loads]

    def call(self, dependency: dict, data: list, on_chunk=None) -> list:
        """Run one event to completion; return its final output data, or raise AppError."""
        trigger = next(target for target, _ in dependency["targets"])
        joined = self.http.post("/gradio_api/queue/join", json={
            "data": data, "fn_index": dependency["id"], "session_hash": self.session_hash,
            "trigger_id": trigger, "event_data": None})
        if joined.status_code != 200:
            raise AppError(f"queue/join refused: HTTP {joined.status_code} {joined.text[:200]}")
        event_id = joined.json()["event_id"]
        for message in self._messages():
            if message.get("event_id") != event_id:
                continue
            if message["msg"] == "log" and message.get("level") in ("warning", "error"):
                raise AppError(message.get("log") or "warning")
            if message["msg"] == "process_generating" and on_chunk is not None:
                on_chunk()
            if message["msg"] == "process_completed":
                output = message.get("output") or {}
                if not message.get("success", False):
                    raise AppError(output.get("error") or "the app reported an error")
                return output.get("data", [])
        raise AppError("the event stream ended before the event completed")

    def _messages(self) -> Iterator[dict]:
        params = {"session_hash": self.session_hash}
        with self.http.stream("GET", "/gradio_api/queue/data", params=params) as s:
            if s.status_code != 200:
                raise AppError(f"queue/data refused: HTTP {s.status_code}")
            for line in s.iter_lines():
                if line.startswith("data:"):
                    yield json.loads(line[5:])


@dataclass
class TraineeResult:
    name: str
    sent: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds from send to the whole reply
    first_chunk: list[float] = field(default_factory=list)  # seconds from send to the first streamed piece
    errors: list[str] = field(default_factory=list)


def run_trainee(url: str, name: str, persona: str, turns: int, deadline: float) -> TraineeResult:
    result = TraineeResult(name)
    browser = Browser(url)
    try:
        browser.login(name, PASSWORD)
        browser.open_page()
        browser.call(browser.dependency("start"), [persona, "practice"])
        send = browser.dependency("send")
        for turn in range(turns):
            if time.monotonic() > deadline:
                result.errors.append(f"{name}: time limit reached before turn {turn + 1}")
                break
            text = f"{QUESTIONS[turn % len(QUESTIONS)]} ({name}, question {turn + 1})"
            started, pieces = time.perf_counter(), []
            browser.call(send, [None, text], on_chunk=lambda seen=pieces: seen.append(time.perf_counter()))
            result.latencies.append(time.perf_counter() - started)
            result.first_chunk.append((pieces[0] if pieces else time.perf_counter()) - started)
            result.sent.append(text)
    except (AppError, httpx.HTTPError, KeyError) as exc:
        result.errors.append(f"{name}: {type(exc).__name__}: {exc}")
    finally:
        browser.close()
    return result


def verify_storage(database_url: str, results: list[TraineeResult]) -> list[str]:
    """Every sent question is stored, in order, in the sender's one session, and nowhere else."""
    from simulator.storage import Store

    problems = []
    with Store(database_url) as store:
        for result in results:
            sessions = store.list_sessions(trainee=result.name)
            if len(sessions) != 1:
                problems.append(f"{result.name}: {len(sessions)} sessions instead of 1")
                continue
            stored = [turn.officer for turn in store.get_turns(sessions[0].id)]
            if stored != result.sent:
                problems.append(f"{result.name}: stored {len(stored)} turns, sent {len(result.sent)}; "
                                f"first difference at {_first_difference(stored, result.sent)}")
            strangers = [text for text in stored if f"({result.name}," not in text]
            if strangers:
                problems.append(f"{result.name}: session holds {len(strangers)} turns of other trainees")
    return problems


def _first_difference(a: list[str], b: list[str]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def run_load(trainees: int, turns: int, model: str, persona: str, time_limit_s: float,
             data_dir: Path | None = None) -> dict:
    """Start a server, drive the trainees, verify the database; return the figures."""
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="interview-sim-load-"))
    names = [f"trainee{i + 1:02d}" for i in range(trainees)]
    server = Server(data_dir, model=model)
    add_users(server.database_url, names)
    server.start()
    try:
        deadline = time.monotonic() + time_limit_s
        browser = Browser(server.url)
        browser.login(names[0], PASSWORD)
        browser.open_page()  # the first page load also loads the models; not part of the figures
        browser.close()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=trainees) as pool:
            runs = [pool.submit(run_trainee, server.url, name, persona, turns, deadline) for name in names]
            results = [run.result() for run in runs]
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    latencies = [value for result in results for value in result.latencies]
    first = [value for result in results for value in result.first_chunk]
    errors = [error for result in results for error in result.errors]
    problems = verify_storage(server.database_url, results)
    return {
        "trainees": trainees, "turns": turns, "model": model, "persona": persona,
        "turns_completed": len(latencies), "errors": errors, "storage_problems": problems,
        "median_turn_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_turn_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "median_first_chunk_s": round(statistics.median(first), 3) if first else None,
        "elapsed_s": round(elapsed, 1), "turns_per_s": round(len(latencies) / elapsed, 2),
        "cpu_count": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=20, choices=range(1, 101), metavar="1-100")
    parser.add_argument("--turns", type=int, default=10, choices=range(1, 51), metavar="1-50")
    parser.add_argument("--model", default="fake", help="chat model: fake, or a name in models/manifest.yaml")
    parser.add_argument("--persona", default="lan-nail-salon")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds before trainees stop")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    watchdog = threading.Timer(args.time_limit + 300, lambda: os._exit(3))  # never outlive the limit by much
    watchdog.daemon = True
    watchdog.start()
    figures = run_load(args.trainees, args.turns, args.model, args.persona, args.time_limit)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['trainees']} trainees x {figures['turns']} turns, model {figures['model']}: "
              f"{figures['turns_completed']} turns in {figures['elapsed_s']} s, "
              f"median {figures['median_turn_s']} s, p95 {figures['p95_turn_s']} s, "
              f"first piece median {figures['median_first_chunk_s']} s, "
              f"errors {len(figures['errors'])}, storage problems {len(figures['storage_problems'])}")
        for line in figures["errors"][:10] + figures["storage_problems"][:10]:
            print("  " + line)
    return 0 if not figures["errors"] and not figures["storage_problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
