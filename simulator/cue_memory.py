"""find_cues' findings for the calibration sentences, kept on disk between runs.

Why: searching every cue pattern in the ~40k calibration sentences was half of a studio save's refit
(about 25 s of 46 on 2 cores, bench/RESULTS.md) and the same work every time: cues depend only on the
sentence and on simulator/cues.py. One file per version of that module (the hash of its source, so an edit
to any cue's code, not only its patterns, starts afresh) in the disk cache, keyed by each sentence's hash;
only training sentences are written, never a trainee's words.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from simulator import cues

_LOCK = threading.Lock()  # the studio's comparison and a save may recall at once


def recall(sentences: list[str], cache_dir: Path | None) -> None:
    """Put each sentence's cues in find_cues' memory: read back from the cache file where it has them,
    else searched now; the file is rewritten when it lacked any. Without a cache folder, nothing is kept."""
    if cache_dir is None:
        return
    path = Path(cache_dir) / "cues" / f"{_version()}.json"
    with _LOCK:
        saved = _read(path)
        added = False
        for sentence in dict.fromkeys(sentences):
            key = _key(sentence)
            if cues.remembered(sentence) is not None and key in saved:
                continue
            found = _decoded(saved.get(key))
            if found is None:  # not saved yet, or unreadable
                found = tuple(cues.find_cues(sentence))
                saved[key] = [_encoded(cue) for cue in found]
                added = True
            cues.remember(sentence, found)
        if added:
            _write(path, saved)


def _version() -> str:
    return hashlib.sha256(Path(cues.__file__).read_bytes()).hexdigest()[:16]


def _key(sentence: str) -> str:
    return hashlib.sha256(sentence.encode("utf-8")).hexdigest()[:20]


def _encoded(cue: cues.Cue) -> list:
    return [cue.name, cue.match, list(cue.flags), cue.question_type, cue.tone]


def _decoded(saved: object) -> tuple[cues.Cue, ...] | None:
    try:
        return tuple(cues.Cue(name, match, tuple(flags), dict(question_type), dict(tone))
                     for name, match, flags, question_type, tone in saved)
    except (TypeError, ValueError):
        return None


def _read(path: Path) -> dict[str, list]:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or damaged: searched again
    return saved if isinstance(saved, dict) else {}


def _write(path: Path, saved: dict[str, list]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")  # app instances may share the cache
        tmp.write_text(json.dumps(saved, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs speed
