"""``export --format gpx|tcx --out DIR``: one track file per activity, kept in step incrementally.

Files go to ``DIR/<athlete id>/<start date>_<activity id>.<gpx|tcx>`` (stable names). A
manifest (``DIR/.stravasync-<fmt>.json``) remembers, per activity, its file and the change mark
it was written from (summary and detail times, writer version): a re-run rebuilds only the
activities whose mark changed or whose file is missing, rewrites a file only when its bytes
differ, and removes the files of activities that are gone (deleted on Strava, purged, hidden,
or without a track any more). Every write is atomic.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from stravasync.export.atomic import atomic_path, atomic_text, remove_stale_temps
from stravasync.export.tracks.trackfiles import render, track_of
from stravasync.export.tracks.trackmeta import Format, file_name
from stravasync.store.mirror.track_reads import TrackRow, iter_track_rows

WRITER_VERSION = 1  # bump when the files' content changes: every file is rebuilt once


def manifest_path(out: Path, fmt: Format) -> Path:
    return out / f".stravasync-{fmt}.json"


def _load(path: Path) -> dict[str, dict[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, dict):
        return {}
    return {
        k: v for k, v in files.items() if isinstance(v, dict) and isinstance(v.get("path"), str)
    }


def _inside(out: Path, rel: str) -> Path | None:
    """``out / rel`` when it stays inside ``out`` (a manifest is input too)."""
    path = (out / rel).resolve()
    return path if path.is_relative_to(out.resolve()) else None


def _mark(info: TrackRow) -> str:
    return f"v{WRITER_VERSION}|{info.changed_mark}"


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return True


def _remove(out: Path, rel: str) -> bool:
    path = _inside(out, rel)
    if path is None or not path.exists():
        return False
    path.unlink()
    return True


def write_track_files(
    conn: Connection,
    out: Path,
    fmt: Format,
    *,
    athlete_id: int | None = None,
    include_hidden: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Bring ``out`` in step with the store; counts: activities with a track, files written,
    left unchanged, removed."""
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)
    manifest = _load(manifest_path(out, fmt))
    counts = {"activities": 0, "written": 0, "unchanged": 0, "removed": 0}
    seen: set[str] = set()
    for info in iter_track_rows(conn, athlete_id=athlete_id, include_hidden=include_hidden):
        key, rel, mark = str(info.id), f"{info.athlete_id}/{file_name(info, fmt)}", _mark(info)
        prev = manifest.get(key)
        if prev and prev["path"] == rel and prev.get("mark") == mark and (out / rel).exists():
            seen.add(key)
            counts["activities"] += 1
            counts["unchanged"] += 1
            continue
        track = track_of(conn, info)
        made = render(info, track, fmt) if track is not None else None
        if prev and (prev["path"] != rel or made is None):  # renamed, or no track any more
            counts["removed"] += _remove(out, prev["path"])
        if made is None:
            manifest.pop(key, None)
            continue
        seen.add(key)
        counts["activities"] += 1
        if _write_if_changed(out / rel, made.data):
            counts["written"] += 1
        else:
            counts["unchanged"] += 1
        manifest[key] = {"path": rel, "mark": mark, "athlete_id": info.athlete_id}
        if on_rows is not None:
            on_rows(1)
    for key in [k for k in manifest if k not in seen]:
        entry = manifest[key]
        if athlete_id is not None and entry.get("athlete_id") != athlete_id:
            continue  # another athlete's file: this run did not look at them
        counts["removed"] += _remove(out, entry["path"])
        del manifest[key]
    with atomic_text(manifest_path(out, fmt)) as fh:
        json.dump({"format": fmt, "version": WRITER_VERSION, "files": manifest}, fh, indent=0)
    return counts
