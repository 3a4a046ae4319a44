import io
import json

import pytest

from simulator.cli import main
from simulator.cli import score as score_cli
from simulator.embeddings import HashingEmbedder

KEYS = {"text", "question_type", "tone", "recommended", "criteria", "flags", "explanation", "suggestion",
        "evidence", "probabilities"}


@pytest.fixture(autouse=True)
def fake_embedder(monkeypatch):
    original = score_cli.build_scorer

    def build(settings, embedder=None):
        return original(settings, embedder or HashingEmbedder(dim=128))

    monkeypatch.setattr(score_cli, "build_scorer", build)
    import simulator.cli.rubric as rubric_cli
    monkeypatch.setattr(rubric_cli, "build_scorer", build)


def test_score_json_from_file(tmp_path, capsys):
    path = tmp_path / "u.txt"
    path.write_text("Did he take your passport?\n\n   \nTell me about the farm.\n", encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert all(set(r) == KEYS for r in records)
    assert records[0]["text"] == "Did he take your passport?"
    assert records[0]["question_type"] == "option_posing"


def test_score_text_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Did he hit you?\n")))
    assert main(["score", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("option_posing / neutral / not recommended [yes_no]: Did he hit you?")
    assert "try: Tell me more about that." in out


@pytest.mark.parametrize(("content", "message"),
                         [(b"\xff\xfe\x00bad", "not valid UTF-8"), (b"\n\n", "no utterances")])
def test_bad_input_is_an_error(tmp_path, capsys, content, message):
    path = tmp_path / "u.txt"
    path.write_bytes(content)
    assert main(["score", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_missing_file_and_unknown_rubric(tmp_path, capsys):
    assert main(["score", str(tmp_path / "nope.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err
    path = tmp_path / "u.txt"
    path.write_text("Hello.\n", encoding="utf-8")
    assert main(["score", str(path), "--rubric", "nope"]) == 2
    assert "Unknown rubric 'nope'. Available: default" in capsys.readouterr().err


def test_rubric_list_validate_evaluate(tmp_path, capsys):
    assert main(["rubric", "list"]) == 0
    assert capsys.readouterr().out.startswith("default\tv1\t")
    assert main(["rubric", "validate"]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    assert main(["rubric", "validate", str(bad)]) == 1
    assert "field 'name': missing" in capsys.readouterr().out
    assert main(["rubric", "evaluate", "--json", "--folds", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["calibration"]) == {"question_type", "tone", "recommended"}
    assert result["calibration"]["question_type"]["n"] >= 300 and result["annomi"] is None

