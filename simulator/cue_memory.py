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
import threading
from pathlib import Path

from simulator import atomic, cues
from simulator.labels import FLAGS, QUESTION_TYPES, TONES

_LOCK = threading.Lock()  # the studio's comparison and a save may recall at once
# per cache file, the sentence keys it held when this process last read or wrote it; another instance may
# replace the file meanwhile without some of them, which costs only a search in a later process
_ON_DISK: dict[Path, set[str]] = {}


def _source_version() -> str | None:
    """The hash of cues.py as this process imported it (None when its source cannot be read: no file is
    kept then). Read once: a file edited while the process runs must not take this process's cues."""
    try:
        return hashlib.sha256(Path(cues.__file__).read_bytes()).hexdigest()[:16]
    except OSError:
        return None


_VERSION = _source_version()


def recall(sentences: list[str], cache_dir: Path | None) -> None:
    """Put each sentence's cues in find_cues' memory: read back from the cache file where it has them,
    else searched now; the file is rewritten when it lacked any. Without a cache folder, nothing is kept."""
    if cache_dir is None or _VERSION is None:
        return
    path = Path(cache_dir) / "cues" / f"{_VERSION}.json"
    unique = list(dict.fromkeys(sentences))
    with _LOCK:
        kept = _ON_DISK.get(path, set())
        if all(cues.remembered(s) is not None and _key(s) in kept for s in unique):
            return  # a later save or comparison in this process: nothing to read back or to write
        saved = _read(path)
        added = False
        for sentence in unique:
            key = _key(sentence)
            known = cues.remembered(sentence)
            if known is not None and key in saved:
                continue
            read_back = _decoded(saved.get(key))
            if read_back is None:  # not saved yet, or unreadable
                read_back = known if known is not None else tuple(cues.find_cues(sentence))
                saved[key] = [_encoded(cue) for cue in read_back]
                added = True
            if known is None:
                cues.remember(sentence, read_back)
        if added and not _write(path, saved):
            _ON_DISK.pop(path, None)  # not kept: the next recall reads and tries again
            return
        _ON_DISK[path] = set(saved)


def _key(sentence: str) -> str:
    return hashlib.sha256(sentence.encode("utf-8")).hexdigest()[:20]


def _encoded(cue: cues.Cue) -> list:
    return [cue.name, cue.match, list(cue.flags), cue.question_type, cue.tone]


def _decoded(saved: object) -> tuple[cues.Cue, ...] | None:
    """The cues of one saved entry, or None when it is not what `_encoded` writes."""
    try:
        found = tuple(cues.Cue(name, match, tuple(flags), dict(question_type), dict(tone))
                      for name, match, flags, question_type, tone in saved)
    except (TypeError, ValueError):
        return None
    return found if all(_well_formed(cue) for cue in found) else None


def _well_formed(cue: cues.Cue) -> bool:
    weights = [*cue.question_type.values(), *cue.tone.values()]
    return (isinstance(cue.name, str) and isinstance(cue.match, str)
            and all(flag in FLAGS for flag in cue.flags)
            and set(cue.question_type) <= set(QUESTION_TYPES) and set(cue.tone) <= set(TONES)
            and all(isinstance(weight, int | float) and not isinstance(weight, bool) for weight in weights))


def _read(path: Path) -> dict[str, list]:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or damaged: searched again
    return saved if isinstance(saved, dict) else {}


def _write(path: Path, saved: dict[str, list]) -> bool:
    """Whether the file now holds `saved` (a read-only cache only costs speed)."""
    try:
        atomic.write_text(path, json.dumps(saved, separators=(",", ":")))
    except OSError:
        return False
    return True
