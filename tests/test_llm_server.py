"""The chat model behind a real llama.cpp server on 127.0.0.1, serving the embedded SmolLM2 GGUF: a whole
interview through the CLI, streaming, stop strings, seeds, a timeout, and the server killed mid-reply.

Both of llama.cpp's servers are covered: `llama-server` (parallel slots, what docs/deployment.md
recommends) and `python -m llama_cpp.server`. They need `make llama-cpp`; without it this tier skips, or
fails where INTERVIEW_SIM_REQUIRE_LLAMA_CPP=1 (CI). Where a test needs to know a reply in advance, a
grammar in the request fixes it; nothing is timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from fixtures.engine_fakes import KeywordScorer, small_persona

from simulator.engine import EngineParams, Session
from simulator.llm.base import ChatModelError
from simulator.llm.llama_cpp_server import KINDS, LlamaCppMissing, LlamaCppServer, check_installed
from simulator.llm.openai_backend import OpenAIChatModel
from simulator.model_fetch import FetchError, gguf_file
from simulator.models import load_chat_model, load_manifest, local_dir
from simulator.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.llama_server

SERVED = "smollm2-llama-cpp"  # the manifest entry the tests write for the server
MESSAGES = [{"role": "system", "content": "You are Lan. You work in a nail salon. Answer briefly."},
            {"role": "user", "content": "Tell me about a normal day at work."}]
GREEDY = {"max_tokens": 32, "temperature": 0.0}
NO_SENTENCE_END = "root ::= [a-z ]+"  # GBNF: lower-case words only, so a reply never ends a sentence


def _unavailable(message: str) -> None:
    if os.environ.get("INTERVIEW_SIM_REQUIRE_LLAMA_CPP") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def start(gguf: Path, kind: str, **options) -> LlamaCppServer:
    try:
        check_installed(kind)
    except LlamaCppMissing as exc:
        _unavailable(str(exc))
    # One thread: on a busy machine two spin-wait for each other at every step of the graph.
    return LlamaCppServer(gguf, kind=kind, threads=1, **options).start()


@pytest.fixture(scope="session")
def gguf() -> Path:
    """The GGUF the embedded chat model is converted from, kept in models/cache/gguf/."""
    settings = Settings.load(environ={})
    entry = load_manifest(settings.manifest_path).get(settings.chat_model)
    try:
        return gguf_file(entry, settings, log=lambda line: None)
    except FetchError as exc:
        _unavailable(f"cannot obtain the GGUF of {settings.chat_model}: {exc}")


@pytest.fixture(scope="module")
def llama_server(gguf):
    """llama.cpp's own server with two slots; /metrics shows what it served."""
    server = start(gguf, "llama-server", parallel=2, extra_args=("--metrics",))
    yield server
    server.stop()


@pytest.fixture(scope="module", params=KINDS)
def server(request, gguf):
    """Each of llama.cpp's two OpenAI-compatible servers in turn."""
    if request.param == "llama-server":
        yield request.getfixturevalue("llama_server")
        return
    started = start(gguf, request.param)
    yield started
    started.stop()


def models_dir_for(server: LlamaCppServer, folder: Path, **entry) -> Path:
    """A models folder whose manifest is the shipped one plus an `openai` entry for `server`."""
    manifest = yaml.safe_load((REPO_ROOT / "models" / "manifest.yaml").read_text())
    manifest["models"][SERVED] = {"kind": "openai", "role": "chat", "base_url": server.base_url,
                                  "model": "smollm2", **entry}
    folder.mkdir()
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    return folder


def tokens_predicted(server: LlamaCppServer) -> float:
    metrics = httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=10).text
    line = next(line for line in metrics.splitlines() if line.startswith("llamacpp:tokens_predicted_total"))
    return float(line.split()[-1])


def test_a_missing_server_names_the_command_that_installs_it(monkeypatch, tmp_path):
    from simulator.llm import llama_cpp_server

    monkeypatch.setattr(llama_cpp_server, "llama_server_binary", lambda: None)
    with pytest.raises(LlamaCppMissing, match="run `make llama-cpp`"):
        LlamaCppServer(tmp_path / "model.gguf").start()


def test_a_whole_interview_through_the_cli(llama_server, tmp_path):
    settings = Settings.load(environ={})
    embedder = load_manifest(settings.manifest_path).get(settings.embedder)
    if local_dir(embedder, settings, settings.embedder) is None:
        _unavailable(f"run `interview-sim models fetch {settings.embedder}`")
    script = REPO_ROOT / "tests" / "scripts" / "trauma_informed.txt"
    before = tokens_predicted(llama_server)
    env = {**os.environ, "INTERVIEW_SIM_MODELS_DIR": str(models_dir_for(llama_server, tmp_path / "models"))}
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "replay", "--persona", "lan-nail-salon", "--script", str(script),
         "--json", "--model", SERVED, "--voice", "actor"],  # the model words every reply that tells no fact
        env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    turns = json.loads(result.stdout)["turns"]
    lines = [line for line in script.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert [turn["officer"] for turn in turns] == lines
    assert all(turn["reply"].strip() for turn in turns)
    assert not any(r["reason"] == "model_error" for turn in turns for r in turn["guard_repairs"])
    assert tokens_predicted(llama_server) > before  # the persona's words came from this server


def test_replies_stream_in_pieces(server):
    pieces = list(OpenAIChatModel(server.base_url, "smollm2").stream(MESSAGES, **GREEDY))
    assert len(pieces) > 5 and all(pieces)  # token by token, not one block at the end


def test_stop_strings_are_honoured_by_the_server(server):
    """The reply is fixed by a grammar, so where the stop string falls is known without comparing two
    replies (llama.cpp's sums, and so a close greedy choice, can differ with what its cache holds)."""
    counting = {"grammar": 'root ::= "one two three four five"'}
    raw = httpx.post(f"{server.base_url}/chat/completions", timeout=120, json={
        "model": "smollm2", "messages": MESSAGES, "stop": [" three"], **GREEDY, **counting}).json()
    assert raw["choices"][0]["message"]["content"] == "one two"  # cut by the server, not by our client
    assert raw["choices"][0]["finish_reason"] == "stop"
    model = WithBody(server, counting)
    assert "".join(model.stream(MESSAGES, **GREEDY)) == "one two three four five"
    assert "".join(model.stream(MESSAGES, stop=[" three"], **GREEDY)) == "one two"


def test_a_seed_gives_the_same_reply_twice(server):
    model = OpenAIChatModel(server.base_url, "smollm2")
    sampled = {"max_tokens": 24, "temperature": 1.0, "top_p": 1.0}
    replies = {seed: model.generate(MESSAGES, seed=seed, **sampled) for seed in (1, 2, 3)}
    assert model.generate(MESSAGES, seed=2, **sampled) == replies[2]
    assert len(set(replies.values())) > 1  # the seed is used, not ignored for a fixed reply


def test_a_tiny_timeout_gives_a_clear_error(server, tmp_path):
    folder = models_dir_for(server, tmp_path / "models", timeout_s=0.001)
    model = load_chat_model(Settings(models_dir=folder, chat_model=SERVED))
    long_prompt = [{"role": "user", "content": "Tell me about your work. " * 20}]  # far beyond 1 ms
    with pytest.raises(ChatModelError, match="did not answer in time"):
        model.generate(long_prompt, max_tokens=1)  # one token: the server is soon done with what we left
    with pytest.raises(ChatModelError, match="did not answer in time"):
        list(model.stream(long_prompt, max_tokens=1))


class WithBody(OpenAIChatModel):
    """Our client, sending llama.cpp's own request fields (a grammar...) in every request body too."""

    def __init__(self, server: LlamaCppServer, extra: dict):
        super().__init__(server.base_url, "smollm2", timeout=120)
        self.server, self.extra = server, extra

    def _body(self, messages, opts, stream):
        return {**super()._body(messages, opts, stream), **self.extra}


class KilledMidReply(WithBody):
    """While `dying`, asks for a reply that cannot end by itself (no sentence end allowed, end-of-text
    ignored) and SIGKILLs the server once its first piece has arrived, so the kill lands mid-reply however
    the scheduler delays this process."""

    ENDLESS = {"grammar": NO_SENTENCE_END, "ignore_eos": True, "max_tokens": 1000}

    def __init__(self, server: LlamaCppServer):
        super().__init__(server, {})

    @property
    def dying(self) -> bool:
        return self.extra == self.ENDLESS

    @dying.setter
    def dying(self, value: bool) -> None:
        self.extra = self.ENDLESS if value else {}

    def _pieces(self, lines):
        for piece in super()._pieces(lines):
            if self.dying:
                self.server.kill()
            yield piece


def test_a_server_killed_mid_reply_gives_a_retryable_error_and_loses_nothing(gguf):
    server = start(gguf, "llama-server")
    try:
        model = KilledMidReply(server)
        every_turn_asks_the_model = EngineParams(voice="actor", disclosure_style="model")
        session = Session(small_persona(), KeywordScorer(), model, params=every_turn_asks_the_model)
        first = session.officer_turn("Hello, my name is Sam. How are you today?")
        state = session.state
        model.dying = True
        with pytest.raises(ChatModelError, match="not answering.*not recorded: try sending it again"):
            session.officer_turn("Tell me about your work.")
        assert not server.alive
        assert session.turns == [first] and session.state == state
        model.dying = False
        server.start()  # the operator restarts it, on the same port
        retried = session.officer_turn("Tell me about your work.")
        assert retried.index == 1 and retried.reply and session.turns == [first, retried]
    finally:
        server.stop()
