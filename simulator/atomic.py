"""Replacing a file all at once: readers see the old file or the new one, never half of either.

Why one helper: the disk caches (embeddings, cues, held-out vectors, exported graphs) and the files an
instructor saves are shared by app instances that may run at once, even in containers that share one
process id, so every temporary file gets a random name of its own beside its target, and none is left
behind when writing fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A fresh temporary path beside `path` for the block to write; moved over `path` when the block
    ends without an error, removed when it raises. `mode` sets the new file's permission bits (otherwise
    those of any file created with open(): 0666 less the umask)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        yield temporary
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, mode: int | None = None) -> None:
    """`path` replaced by `text` (UTF-8) at once."""
    with replacing(path, mode) as temporary, open(temporary, "x", encoding="utf-8") as out:
        out.write(text)
