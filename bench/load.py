"""Load test: N simulated trainees interview personas at once through a running app, as browsers do.

Starts `interview-sim serve` on a free loopback port with a fresh data folder and one account per
trainee, then each trainee signs in, opens the page, starts an interview and sends its questions
over Gradio's queue protocol (the same calls the page makes). Reports errors (must be 0), the median
and 95th-percentile turn latency, and checks in the database that every turn of every trainee was
stored, in order, in that trainee's own session. Bounded in trainees, turns and seconds.

With --instances N it starts N servers on one database (--database-url, or --postgres for a
throwaway PostgreSQL cluster) and spreads the trainees across them, as behind a load balancer.

    .venv/bin/python bench/load.py --trainees 20 --turns 10 --model fake
    .venv/bin/python bench/load.py --trainees 5 --turns 5 --model smollm2-135m-instruct
    .venv/bin/python bench/load.py --instances 2 --postgres --trainees 5 --turns 5 --write

With --model-server llama-cpp it then runs the same load again with the model served by llama.cpp's
`llama-server` (--parallel slots, continuous batching) on the GGUF --model is converted from, and the app
reaching it as a manifest entry of kind `openai`; both runs are reported.

    .venv/bin/python bench/load.py --trainees 5 --turns 5 --model smollm2-135m-instruct \
        --model-server llama-cpp --parallel 5
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
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
from unittest import mock

import httpx
from sqlalchemy import make_url

from simulator.ports import free_port

REPO = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "interview-sim"
PASSWORD = "load-test-password"
SECTION = "## Load, several instances on one database"  # of bench/RESULTS.md, written with --write
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


@dataclass
class Server:
    """An `interview-sim serve` subprocess on loopback with its own data folder."""

    data_dir: Path
    model: str = "fake"
    port: int = field(default_factory=free_port)
    launcher: list[str] = field(default_factory=lambda: [str(CLI)])  # the program `serve ...` is passed to
    database_url: str = ""  # empty: the SQLite file in data_dir
    process: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.database_url = self.database_url or f"sqlite:///{self.data_dir / 'interview-sim.db'}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 180.0, environ: dict[str, str] | None = None) -> Server:
        env = {**(os.environ if environ is None else environ), "INTERVIEW_SIM_DATA_DIR": str(self.data_dir),
               "INTERVIEW_SIM_DATABASE_URL": self.database_url}
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
        loads = [d for d in self.config["dependencies"]
                 if d.get("backend_fn", True) and any(e == "load" for _, e in d["targets"])]  # not js-only
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


def verify_storage(database_url: str, results: list[TraineeResult]) -> tuple[list[str], int]:
    """Every sent question is stored, in order, in the sender's one session, and nowhere else.
    Returns the problems found and the number of turns stored."""
    from simulator.storage import Store

    problems, count = [], 0
    with Store(database_url) as store:
        for result in results:
            sessions = store.list_sessions(trainee=result.name)
            if len(sessions) != 1:
                problems.append(f"{result.name}: {len(sessions)} sessions instead of 1")
                continue
            stored = [turn.officer for turn in store.get_turns(sessions[0].id)]
            count += len(stored)
            if stored != result.sent:
                problems.append(f"{result.name}: stored {len(stored)} turns, sent {len(result.sent)}; "
                                f"first difference at {_first_difference(stored, result.sent)}")
            strangers = [text for text in stored if f"({result.name}," not in text]
            if strangers:
                problems.append(f"{result.name}: session holds {len(strangers)} turns of other trainees")
    return problems, count


def _first_difference(a: list[str], b: list[str]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def run_load(trainees: int, turns: int, model: str, persona: str, time_limit_s: float,
             data_dir: Path | None = None, database_url: str = "", instances: int = 1) -> dict:
    """Start the servers on one database, drive the trainees (spread across the servers in turn),
    verify the database; return the figures."""
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="interview-sim-load-"))
    tag = uuid.uuid4().hex[:6]  # fresh account names, so a database that is not new can be reused
    names = [f"trainee{i + 1:02d}-{tag}" for i in range(trainees)]
    servers = []
    for n in range(instances):
        (data_dir / f"instance{n + 1}").mkdir(parents=True, exist_ok=True)
        servers.append(Server(data_dir / f"instance{n + 1}", model=model,
                              database_url=database_url or f"sqlite:///{data_dir / 'interview-sim.db'}"))
    warmup = f"warmup-{tag}"  # not a trainee: its interviews are not checked
    add_users(servers[0].database_url, [*names, warmup])
    with contextlib.ExitStack() as running:
        for server in servers:
            running.callback(server.stop)
            server.start()
            browser = Browser(server.url)
            browser.login(warmup, PASSWORD)
            browser.open_page()  # the first page load loads the models, the first start the scorer:
            browser.call(browser.dependency("start"), [persona, "practice"])  # not part of the figures
            browser.close()
        deadline = time.monotonic() + time_limit_s
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=trainees) as pool:
            runs = [pool.submit(run_trainee, servers[i % instances].url, name, persona, turns, deadline)
                    for i, name in enumerate(names)]
            results = [run.result() for run in runs]
        elapsed = time.perf_counter() - started
    latencies = [value for result in results for value in result.latencies]
    first = [value for result in results for value in result.first_chunk]
    errors = [error for result in results for error in result.errors]
    problems, stored = verify_storage(servers[0].database_url, results)
    return {
        "trainees": trainees, "turns": turns, "model": model, "persona": persona, "instances": instances,
        "backend": make_url(servers[0].database_url).get_backend_name(),
        "turns_completed": len(latencies), "turns_stored": stored, "errors": errors,
        "storage_problems": problems,
        "median_turn_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_turn_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "median_first_chunk_s": round(statistics.median(first), 3) if first else None,
        "elapsed_s": round(elapsed, 1), "turns_per_s": round(len(latencies) / elapsed, 2),
        "cpu_count": os.cpu_count(), "load_average": round(os.getloadavg()[0], 1),
    }


def run_on_llama_server(args: argparse.Namespace, database_url: str) -> dict:
    """The same load with --model's GGUF served by `llama-server` (--parallel slots, continuous
    batching) on loopback; the app reaches it through a temporary manifest entry of kind `openai`."""
    import yaml

    from simulator.llm.llama_cpp_server import LlamaCppServer
    from simulator.model_fetch import gguf_file
    from simulator.models import PipGgufModel, load_manifest
    from simulator.settings import Settings

    settings = Settings.load()
    entry = load_manifest(settings.manifest_path).get(args.model, role="chat")
    if not isinstance(entry, PipGgufModel):
        raise SystemExit(f"--model-server needs a pip-gguf --model, not {entry.kind} '{args.model}'")
    with tempfile.TemporaryDirectory(prefix="interview-sim-models-") as models, \
            LlamaCppServer(gguf_file(entry, settings), parallel=args.parallel) as server:
        manifest = yaml.safe_load(settings.manifest_path.read_text(encoding="utf-8"))
        manifest["models"]["llama-server"] = {"kind": "openai", "role": "chat", "base_url": server.base_url,
                                              "model": args.model, "timeout_s": 300}
        Path(models, "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
        with mock.patch.dict(os.environ, {"INTERVIEW_SIM_MODELS_DIR": models}):  # read by `serve`
            figures = run_load(args.trainees, args.turns, "llama-server", args.persona, args.time_limit,
                               database_url=database_url, instances=args.instances)
    figures["model"] = f"{args.model} via llama-server --parallel {args.parallel}"
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=20, choices=range(1, 101), metavar="1-100")
    parser.add_argument("--turns", type=int, default=10, choices=range(1, 51), metavar="1-50")
    parser.add_argument("--model", default="fake", help="chat model: fake, or a name in models/manifest.yaml")
    parser.add_argument("--persona", default="lan-nail-salon")
    parser.add_argument("--instances", type=int, default=1, choices=range(1, 9), metavar="1-8",
                        help="app servers sharing the database; trainees are spread across them")
    database = parser.add_mutually_exclusive_group()
    database.add_argument("--database-url", default="", help="SQLAlchemy URL (default: a new SQLite file)")
    database.add_argument("--postgres", action="store_true",
                          help="a throwaway PostgreSQL cluster for this run (needs `make postgres`)")
    parser.add_argument("--model-server", choices=["llama-cpp"], default=None,
                        help="then run the load again with --model's GGUF served by llama-server")
    parser.add_argument("--parallel", type=int, default=5, choices=range(1, 65), metavar="1-64",
                        help="llama-server slots: replies decoded together (with --model-server)")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds before trainees stop")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--write", action="store_true",
                        help=f"record the figures in bench/RESULTS.md, section '{SECTION[3:]}'")
    args = parser.parse_args(argv)
    if args.model_server and args.write:
        parser.error("--write records one run per command; give --model-server without it")
    watchdog = threading.Timer(args.time_limit + 300, lambda: os._exit(3))  # never outlive the limit by much
    watchdog.daemon = True
    watchdog.start()
    with contextlib.ExitStack() as stack:
        database_url = args.database_url
        if args.postgres:
            from simulator.storage.pg_cluster import ThrowawayCluster

            database_url = stack.enter_context(ThrowawayCluster()).create_database()
        figures = run_load(args.trainees, args.turns, args.model, args.persona, args.time_limit,
                           database_url=database_url, instances=args.instances)
        runs = [figures]
        if args.model_server:
            runs.append(run_on_llama_server(args, database_url))
    for figures in runs:
        if args.json:
            print(json.dumps(figures))
        else:
            print(f"{figures['trainees']} trainees x {figures['turns']} turns on {figures['instances']} "
                  f"instance(s), {figures['backend']}, model {figures['model']}: "
                  f"{figures['turns_completed']} turns in {figures['elapsed_s']} s, "
                  f"median {figures['median_turn_s']} s, p95 {figures['p95_turn_s']} s, "
                  f"first piece median {figures['median_first_chunk_s']} s, "
                  f"errors {len(figures['errors'])}, storage problems {len(figures['storage_problems'])}")
            for line in figures["errors"][:10] + figures["storage_problems"][:10]:
                print("  " + line)
    if args.write:
        command = shlex.join([".venv/bin/python", "bench/load.py", *(sys.argv[1:] if argv is None else argv)])
        write_results(figures, command)
    return 0 if not any(figures["errors"] or figures["storage_problems"] for figures in runs) else 1


def write_results(figures: dict, command: str) -> None:
    """Put this run's row in bench/RESULTS.md's section, keeping the rows of other commands."""
    from results import RESULTS, write_section  # bench/ is on the path when this file runs as a script

    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    old = text[text.find(SECTION):].split("\n## ", 1)[0] if SECTION in text else ""
    rows = [line for line in old.splitlines() if line.startswith("| `") and f"`{command}`" not in line]
    rows.append(
        f"| `{command}` | {figures['backend']} | {figures['instances']} "
        f"| {figures['turns_completed']} / {figures['turns_stored']} | {len(figures['errors'])} "
        f"| {len(figures['storage_problems'])} | {figures['median_turn_s']} s | {figures['p95_turn_s']} s "
        f"| {figures['elapsed_s']} s | {figures['load_average']} |")
    write_section(SECTION, (
        f"{SECTION}\n\n"
        "`bench/load.py --instances N` starts N `interview-sim serve` processes, each on its own loopback "
        "port, on one database, and spreads the trainees across them in turn (as a reverse proxy pinning "
        "each browser to one instance would). Afterwards it checks in the database that every sent "
        "question is stored, in order, in its trainee's one session. `--postgres` runs it on a throwaway "
        "PostgreSQL cluster (`simulator/storage/pg_cluster.py`) that the bench starts and removes.\n\n"
        f"Machine: {figures['cpu_count']} CPU cores shared with other work (the load average at the end of "
        "each run is in the last column), no GPU. With `--model fake` (the default) the time is the embedder "
        "and the app. "
        "Each instance first loads its models and scorer (a warm-up sign-in and interview start, not "
        "counted); wall time then includes each trainee's sign-in (argon2), page load and start.\n\n"
        "| command | database | instances | turns sent / stored | errors | lost or misfiled turns "
        "| median turn | p95 turn | wall | load avg |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    ))


if __name__ == "__main__":
    sys.exit(main())
