"""``export --format originals``: each activity's original device file, one file per activity.

Files go to ``OUT/<athlete id>/<activity id>.<fit|gpx|tcx>[.gz]``, byte for byte as the account
export held them (a gzipped file stays gzipped). Names are stable, so a re-run is incremental:
a file already there with the same SHA-256 is left alone, anything else is (re)written
atomically. Hidden athletes are left out unless ``include_hidden``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection

from stravasync.export.atomic import atomic_path, remove_stale_temps
from stravasync.store.mirror.exports import hidden_ids
from stravasync.store.mirror.originals import OriginalInfo, iter_data, list_originals


def _same(path: Path, info: OriginalInfo) -> bool:
    try:
        if path.stat().st_size != info.size:
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == info.sha256
    except OSError:
        return False


def path_of(out: Path, info: OriginalInfo) -> Path:
    return out / str(info.athlete_id) / info.file_name


def write_originals(
    conn: Connection,
    out: Path,
    *,
    athlete_id: int | None = None,
    include_hidden: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the kept originals under ``out``; counts of files written and left unchanged."""
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)
    hidden = set() if include_hidden else set(hidden_ids(conn))
    infos = [i for i in list_originals(conn, athlete_id) if i.athlete_id not in hidden]
    todo = [i for i in infos if not _same(path_of(out, i), i)]
    for original in iter_data(conn, todo):
        with atomic_path(path_of(out, original.info)) as tmp, tmp.open("wb") as fh:
            fh.write(original.data)
            fh.flush()
            os.fsync(fh.fileno())
        if on_rows is not None:
            on_rows(1)
    return {"activities": len(infos), "written": len(todo), "unchanged": len(infos) - len(todo)}
