"""Files that appear whole or not at all: written under a temporary name, then renamed."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

TMP_MARK = ".tmp-"


def temp_path(final: Path) -> Path:
    """A hidden sibling of ``final`` in the same directory (so the rename is atomic)."""
    return final.with_name(f".{final.name}{TMP_MARK}{uuid.uuid4().hex[:8]}")


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it is renamed to ``final``, else removed."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(final)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_text(final: Path, *, newline: str | None = None) -> Iterator[IO[str]]:
    """A text file opened for writing that only becomes ``final`` once fully written."""
    with atomic_path(final) as tmp, tmp.open("w", encoding="utf-8", newline=newline) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def remove_stale_temps(directory: Path) -> int:
    """Delete temp files a crashed export left behind; returns how many."""
    count = 0
    if directory.exists():
        for path in directory.rglob(f".*{TMP_MARK}*"):
            path.unlink(missing_ok=True)
            count += 1
    return count
