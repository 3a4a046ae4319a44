"""`interview-sim personas ...`: listing, validation exit codes, unsafe ids, card export and import."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.personas import load_persona, load_personas
from simulator.settings import REPO_ROOT

PERSONAS_DIR = REPO_ROOT / "personas"
SHIPPED_IDS = load_personas(PERSONAS_DIR).names()


@pytest.fixture
def personas_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "personas"
    shutil.copytree(PERSONAS_DIR, folder)
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["personas", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_list_prints_one_id_per_line(capsys):
    status, out, _ = run(capsys, "list", "--personas-dir", str(PERSONAS_DIR))
    assert status == 0
    assert out.splitlines() == SHIPPED_IDS


def test_list_json(capsys):
    status, out, _ = run(capsys, "list", "--json", "--personas-dir", str(PERSONAS_DIR))
    rows = json.loads(out)
    assert status == 0
    assert [row["id"] for row in rows] == SHIPPED_IDS
    assert {"id", "name", "age", "exploitation_type", "difficulty", "setting"} <= set(rows[0])


def test_list_warns_about_bad_files_but_lists_the_rest(capsys, personas_dir):
    (personas_dir / "broken.yaml").write_text("id: x\n", encoding="utf-8")
    status, out, err = run(capsys, "list", "--personas-dir", str(personas_dir))
    assert status == 0 and out.splitlines() == SHIPPED_IDS
    assert "broken.yaml" in err


def test_validate_all_shipped(capsys):
    status, out, _ = run(capsys, "validate", "--personas-dir", str(PERSONAS_DIR))
    assert status == 0
    assert len([line for line in out.splitlines() if line.startswith("OK")]) == len(SHIPPED_IDS)


def test_validate_reports_file_and_field_and_fails(capsys, personas_dir):
    bad = personas_dir / "bad.yaml"
    bad.write_text((personas_dir / "lan-nail-salon.yaml").read_text(encoding="utf-8")
                   .replace("id: lan-nail-salon", "id: lan-copy").replace("age: 20", "age: twenty"),
                   encoding="utf-8")
    status, out, _ = run(capsys, "validate", "--personas-dir", str(personas_dir))
    assert status == 1
    assert f"ERROR {bad}: field 'age'" in out
    assert out.count("OK") == len(SHIPPED_IDS)


def test_validate_duplicate_ids_across_files(capsys, personas_dir):
    shutil.copy(personas_dir / "lan-nail-salon.yaml", personas_dir / "zz-copy.yaml")
    status, out, _ = run(capsys, "validate", str(personas_dir))
    assert status == 1
    assert "zz-copy.yaml: field 'id': persona id 'lan-nail-salon' is also used by" in out


def test_validate_missing_file(capsys, tmp_path):
    status, out, _ = run(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert status == 1 and "cannot read file" in out


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "Stoyan", "a/b"])
def test_show_rejects_unsafe_ids(capsys, bad_id):
    status, out, err = run(capsys, "show", bad_id, "--personas-dir", str(PERSONAS_DIR))
    assert status == 2 and out == ""
    assert "invalid persona id" in err


def test_show_unknown_lists_available(capsys):
    status, _, err = run(capsys, "show", "nobody", "--personas-dir", str(PERSONAS_DIR))
    assert status == 2
    assert "Unknown persona 'nobody'. Available: " + SHIPPED_IDS[0] in err


def test_show_prints_yaml(capsys):
    status, out, _ = run(capsys, "show", "stoyan-farm-worker", "--personas-dir", str(PERSONAS_DIR))
    assert status == 0 and out.startswith("id: stoyan-farm-worker\n")


def test_export_then_import_card(capsys, tmp_path):
    card = tmp_path / "stoyan.json"
    target = tmp_path / "out" / "stoyan.yaml"
    status, _, _ = run(capsys, "export-card", "stoyan-farm-worker", "-o", str(card),
                       "--personas-dir", str(PERSONAS_DIR))
    assert status == 0
    assert json.loads(card.read_text(encoding="utf-8"))["spec"] == "chara_card_v2"
    assert run(capsys, "import-card", str(card), "-o", str(target))[0] == 0
    assert load_persona(target) == load_persona(PERSONAS_DIR / "stoyan-farm-worker.yaml")


def test_import_defaults_to_personas_dir_and_will_not_overwrite(capsys, personas_dir, tmp_path):
    card = tmp_path / "lan.json"
    run(capsys, "export-card", "lan-nail-salon", "-o", str(card), "--personas-dir", str(personas_dir))
    status, _, err = run(capsys, "import-card", str(card), "--personas-dir", str(personas_dir))
    assert status == 2 and "already exists; use --force" in err
    assert run(capsys, "import-card", str(card), "--force", "--personas-dir", str(personas_dir))[0] == 0


def test_import_plain_card_errors_then_drafts(capsys, personas_dir, tmp_path):
    card = tmp_path / "plain.json"
    card.write_text(json.dumps({"spec": "chara_card_v2", "data": {"name": "Plain Person"}}), encoding="utf-8")
    status, _, err = run(capsys, "import-card", str(card), "--personas-dir", str(personas_dir))
    assert status == 2 and "plain character card" in err
    status, _, err = run(capsys, "import-card", str(card), "--draft", "--personas-dir", str(personas_dir))
    assert status == 0 and "plain-person.yaml" in err
    status, out, _ = run(capsys, "validate", str(personas_dir / "plain-person.yaml"))
    assert status == 1 and "TODO: placeholders" in out


def test_installed_command_runs():
    script = Path(sys.executable).with_name("interview-sim")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "simulator"]
    result = subprocess.run(
        [*command, "personas", "list", "--personas-dir", str(PERSONAS_DIR)],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == SHIPPED_IDS
