"""`interview-sim serve`: unsafe binds are refused, users must sign in, nothing phones home."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from simulator.cli import main
from simulator.embeddings import HashingEmbedder
from simulator.llm.fake import FakeChatModel
from simulator.ports import free_port
from simulator.services import Services
from simulator.settings import Settings
from simulator.storage import Store
from simulator.ui.launch import launch
from simulator.ui.signin import authenticator

PASSWORD = "a long enough password"


@pytest.mark.parametrize("flags", [["--host", "0.0.0.0"], ["--host", "192.168.1.20"], ["--share"]])
def test_refuses_to_expose_the_app_without_accounts(tmp_path, capsys, flags):
    status = main(["serve", "--model", "fake", "--data-dir", str(tmp_path), *flags])
    assert status == 2
    assert "refusing" in capsys.readouterr().err


def test_authenticator_checks_the_user_table(database):
    with Store(database.url) as store:
        store.add_user("tina", "trainee", PASSWORD, actor="test")
        check = authenticator(store)
        assert asyncio.run(check("tina", PASSWORD))
        assert not asyncio.run(check("tina", "wrong password"))
        assert not asyncio.run(check("nobody", PASSWORD))


@pytest.fixture
def running(tmp_path, database):
    """Launch the app without blocking; yields (services, base URL)."""
    apps = []

    def start(with_user: bool):
        settings = Settings(data_dir=tmp_path, database_url=database.url, port=free_port(), max_concurrency=3)
        services = Services(settings, chat_model=FakeChatModel(), embedder=HashingEmbedder())
        if with_user:
            services.store().add_user("tina", "trainee", PASSWORD, actor="test")
        app = launch(settings, services, block=False)
        apps.append(app)
        assert app.share_url is None
        return app.local_url

    yield start
    for app in apps:
        app.close()


def test_local_mode_serves_on_loopback_with_privacy_defaults(running):
    url = running(with_user=False)
    assert url.startswith("http://127.0.0.1:")
    config = httpx.get(url + "config", timeout=10).json()
    assert config["analytics_enabled"] is False
    assert config["footer_links"] == []


def test_with_accounts_nothing_is_served_before_sign_in(running):
    url = running(with_user=True)
    assert httpx.get(url + "config", timeout=10).status_code == 401
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.post("login", data={"username": "tina", "password": "nope"}).status_code == 400
        assert client.post("login", data={"username": "tina", "password": PASSWORD}).status_code == 200
        assert client.get("config").status_code == 200
