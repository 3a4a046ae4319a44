"""Shared fixtures. Real-model fixtures skip (naming the command to run) only when a model is missing;
database fixtures run each storage test on SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fixtures.databases import Database

from simulator.models import load_manifest, local_dir
from simulator.settings import Settings


def _require_ready(settings: Settings, name: str) -> None:
    entry = load_manifest(settings.manifest_path).get(name)
    if local_dir(entry, settings, name) is None:
        pytest.skip(f"model '{name}' is not fetched: run `interview-sim models fetch {name}`")


@pytest.fixture(autouse=True)
def _no_prewarm_left_running():
    """A session's background prewarm must not refill a shared model's KV cache during a later test."""
    yield
    for thread in threading.enumerate():
        if thread.name == "session-prewarm":
            thread.join()


@pytest.fixture(scope="session")
def real_chat_model():
    """The embedded chat model, loaded once per test session (it is shared, like in the app)."""
    from simulator.models import load_chat_model

    settings = Settings.load(environ={})
    _require_ready(settings, settings.chat_model)
    return load_chat_model(settings)


@pytest.fixture(scope="session")
def real_embedder():
    """The embedded sentence-transformers embedder, loaded once per test session."""
    from simulator.models import load_embedder

    settings = Settings.load(environ={})
    _require_ready(settings, settings.embedder)
    return load_embedder(settings)


def _chat_model_in(dtype: str):
    from simulator.llm.transformers_backend import TransformersChatModel

    settings = Settings.load(environ={})
    _require_ready(settings, settings.chat_model)
    entry = load_manifest(settings.manifest_path).get(settings.chat_model)
    return TransformersChatModel(local_dir(entry, settings, settings.chat_model), dtype=dtype)


@pytest.fixture(scope="session")
def real_chat_model_float32():
    """The embedded chat model in float32, whatever this machine's default dtype is."""
    return _chat_model_in("float32")


@pytest.fixture(scope="session")
def real_chat_model_bfloat16():
    """The embedded chat model in bfloat16 (emulated, so slower, on CPUs without native bf16)."""
    return _chat_model_in("bfloat16")


# -- databases: every storage test runs on SQLite and on PostgreSQL --

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway cluster for the run (each test gets its own database in it). Without PostgreSQL
    the tier skips, or fails where INTERVIEW_SIM_REQUIRE_POSTGRES=1 (`make test`, CI)."""
    from simulator.storage.pg_cluster import PostgresMissing, ThrowawayCluster

    try:
        cluster = ThrowawayCluster()
    except PostgresMissing as exc:
        if os.environ.get("INTERVIEW_SIM_REQUIRE_POSTGRES") == "1":
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))
    with cluster:
        yield cluster


@contextmanager
def _new_database(request, folder: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield Database(f"sqlite:///{folder / 'sim.db'}")
        return
    cluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database()
    try:
        yield Database(url)
    finally:
        cluster.drop_database(url)


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> Iterator[Database]:
    """An empty database: a SQLite file under tmp_path/data, or a new PostgreSQL database."""
    with _new_database(request, tmp_path / "data") as opened:
        yield opened


@pytest.fixture(scope="module", params=BACKENDS)
def module_database(request, tmp_path_factory) -> Iterator[Database]:
    """The same, shared by a module's tests (for a server started once per module)."""
    with _new_database(request, tmp_path_factory.mktemp("data")) as opened:
        yield opened
