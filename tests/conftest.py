"""Shared fixtures. Real-model fixtures skip (naming the command to run) only when a model is missing."""

from __future__ import annotations

import threading

import pytest

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


@pytest.fixture(scope="session")
def real_chat_model_float32():
    """The embedded chat model in float32: its replies do not depend on how a prompt was split between
    the KV cache and the prefill, as bfloat16 rounding's can (a greedy choice may flip)."""
    from simulator.llm.transformers_backend import TransformersChatModel

    settings = Settings.load(environ={})
    _require_ready(settings, settings.chat_model)
    entry = load_manifest(settings.manifest_path).get(settings.chat_model)
    return TransformersChatModel(local_dir(entry, settings, settings.chat_model), dtype="float32")
