"""The real `interview-sim` command with bad flags, unreadable files and bad encodings: a one-line
error on stderr and a non-zero exit status, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cards import card_json
from simulator.personas import load_persona

REPO = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "interview-sim"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    if not CLI.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-qe", str(REPO), "--no-deps"], check=True)
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=120, env=environment,
                          input="", cwd=REPO)


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Tell me about your caf\xe9 work.\n".encode("latin-1"))
    card = tmp_path / "card.json"
    card.write_text('{"spec": "chara_card_v2", "data": {"name": ')
    escaping_card = tmp_path / "escape.json"
    data = json.loads(card_json(load_persona(REPO / "personas" / "lan-nail-salon.yaml")))
    data["data"]["extensions"]["interview_sim"]["id"] = "../../../tmp/escaped"
    escaping_card.write_text(json.dumps(data))
    empty = tmp_path / "only-comments.txt"
    empty.write_text("# nothing to say\n\n")
    return {"latin1": latin1, "card": card, "escaping_card": escaping_card, "folder": tmp_path,
            "empty": empty, "data": tmp_path / "data"}


CASES = {
    "no command": (lambda f: [], "required"),
    "unknown command": (lambda f: ["bogus"], "invalid choice"),
    "bad port": (lambda f: ["serve", "--port", "eighty"], "invalid int value"),
    "latin-1 script": (lambda f: ["replay", "--persona", "lan-nail-salon", "--script", str(f["latin1"])],
                       "latin1.txt: not UTF-8"),
    "missing script": (lambda f: ["replay", "--persona", "lan-nail-salon", "--script", "/no/such/file.txt"],
                       "No such file"),
    "script is a folder": (lambda f: ["replay", "--persona", "lan-nail-salon", "--script", str(f["folder"])],
                           "Is a directory"),
    "empty script": (lambda f: ["replay", "--persona", "lan-nail-salon", "--script", str(f["empty"])],
                     "no officer lines"),
    "escaping persona id": (lambda f: ["personas", "show", "../../etc/passwd"], "invalid persona id"),
    "missing personas folder": (lambda f: ["personas", "list", "--personas-dir", "/no/such/dir"],
                                "personas folder not found"),
    "malformed card": (lambda f: ["personas", "import-card", str(f["card"]), "-o", "-"], "malformed JSON"),
    "escaping card id": (lambda f: ["personas", "import-card", str(f["escaping_card"]),
                                    "--personas-dir", str(f["folder"])], "invalid persona id"),
    "password from closed input": (lambda f: ["users", "add", "bob", "--role", "trainee",
                                              "--data-dir", str(f["data"])], "input ended"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_a_clear_error_and_a_non_zero_exit(files, case):
    make_args, expected = CASES[case]
    result = run_cli(*make_args(files))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert expected in result.stderr, result.stderr
    assert not Path("/tmp/escaped.yaml").exists()


def test_bad_settings_in_the_environment_are_reported_not_raised(files):
    for variable, value, expected in (("INTERVIEW_SIM_PORT", "abc", "port"),
                                      ("INTERVIEW_SIM_SHARE", "maybe", "boolean")):
        result = run_cli("personas", "list", env={variable: value})
        assert result.returncode == 2 and "Traceback" not in result.stderr and expected in result.stderr


def test_validate_names_each_bad_file_and_exits_1(files):
    bad = files["folder"] / "bad.yaml"
    bad.write_text("id: bad\nage: old\n")
    result = run_cli("personas", "validate", str(bad), str(REPO / "personas" / "lan-nail-salon.yaml"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"ERROR {bad}" in result.stdout and "OK" in result.stdout
