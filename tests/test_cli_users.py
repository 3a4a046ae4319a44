"""`interview-sim users ...` against a real SQLite file in a temporary data dir."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from simulator.cli import main
from simulator.storage import Store


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def users(data_dir, *args: str) -> int:
    return main(["users", *args, "--data-dir", str(data_dir)])


def add(data_dir, monkeypatch, name: str, role: str, password: str = "correct horse") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return users(data_dir, "add", name, "--role", role, "--password-stdin")


def open_store(data_dir) -> Store:
    return Store(f"sqlite:///{data_dir / 'interview-sim.db'}")


def test_add_list_and_authenticate(data_dir, monkeypatch, capsys):
    assert add(data_dir, monkeypatch, "ana", "trainee") == 0
    assert "everyone must sign in" in capsys.readouterr().out
    assert users(data_dir, "remove", "ana") == 0
    assert "a running app now refuses everyone" in capsys.readouterr().out
    assert add(data_dir, monkeypatch, "ana", "trainee") == 0
    capsys.readouterr()
    assert add(data_dir, monkeypatch, "rita", "assessor") == 0
    assert "everyone must sign in" not in capsys.readouterr().out

    assert users(data_dir, "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [("ana", "trainee", False),
                                                                     ("rita", "assessor", False)]
    assert users(data_dir, "list") == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["NAME", "ROLE", "CREATED", "STATUS"] and "rita" in table
    with open_store(data_dir) as store:
        assert store.authenticate("ana", "correct horse") is not None
        assert [e.actor for e in store.list_audit(action="user_added")][0].startswith("cli")


def test_clear_errors_for_duplicates_names_roles_and_passwords(data_dir, monkeypatch, capsys):
    add(data_dir, monkeypatch, "ana", "trainee")
    capsys.readouterr()
    assert add(data_dir, monkeypatch, "ana", "assessor") == 2
    assert "user 'ana' already exists" in capsys.readouterr().err
    assert add(data_dir, monkeypatch, "bad name", "trainee") == 2
    assert "invalid user name" in capsys.readouterr().err
    assert add(data_dir, monkeypatch, "ben", "trainee", password="short") == 2
    assert "at least 8" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse rejects the role before anything runs
        add(data_dir, monkeypatch, "ben", "admin")
    assert "invalid choice: 'admin'" in capsys.readouterr().err
    assert users(data_dir, "remove", "nobody") == 2
    assert "no user named 'nobody'" in capsys.readouterr().err


def test_prompted_passwords_must_match(data_dir, monkeypatch, capsys):
    answers = iter(["first password", "second password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert users(data_dir, "add", "ana", "--role", "trainee") == 2
    assert "do not match" in capsys.readouterr().err
    monkeypatch.setattr("getpass.getpass", lambda prompt: "same password")
    assert users(data_dir, "add", "ana", "--role", "trainee") == 0


def test_passwd_disable_enable_and_remove(data_dir, monkeypatch, capsys):
    add(data_dir, monkeypatch, "ana", "trainee")
    monkeypatch.setattr(sys, "stdin", io.StringIO("battery staple\n"))
    assert users(data_dir, "passwd", "ana", "--password-stdin") == 0
    assert users(data_dir, "disable", "ana") == 0
    with open_store(data_dir) as store:
        assert store.authenticate("ana", "battery staple") is None
    assert users(data_dir, "enable", "ana") == 0
    with open_store(data_dir) as store:
        assert store.authenticate("ana", "battery staple") is not None
        assert store.authenticate("ana", "correct horse") is None
    assert users(data_dir, "remove", "ana") == 0
    assert "sessions are kept" in capsys.readouterr().out
    with open_store(data_dir) as store:
        assert store.has_users() is False
    assert users(data_dir, "passwd", "ana", "--password-stdin") == 2
    assert "no user named 'ana'" in capsys.readouterr().err


def test_database_url_flag_and_a_real_process(database):
    command = [sys.executable, "-m", "simulator", "users", "add", "ivan", "--role", "instructor",
               "--password-stdin", "--database-url", database.url]
    result = subprocess.run(command, input="correct horse\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Added instructor 'ivan'" in result.stdout
    with Store(database.url) as store:
        assert store.get_user("ivan").role == "instructor"
