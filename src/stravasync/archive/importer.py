"""Import a Strava account export into the mirror (thin I/O around the pure parsers).

Each batch of rows is one transaction and each activity one row, so an interruption never
leaves a partial row; a re-run is idempotent. Rows already mirrored from the API (fresher) and
tombstoned ones are left alone. Afterwards the athlete gets a reconcile request (one cheap
summary listing, 1 request per 200 activities, fixes ids, names, privacy) and fresh stats.

Each activity's original file is kept as the export had it (``store.originals``), for the rows
of this athlete the import stored or found already mirrored. A FIT file with a defect after
readable data, a type name no table knows and columns no table knows are warnings; the CSV's
values stand. The report names the export's language.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from stravasync.archive.build import build_summary
from stravasync.archive.csvparse import CsvActivity, MissingColumns, parse_activities_csv
from stravasync.archive.errors import ActivityFileError, ArchiveError, Problem
from stravasync.archive.files import MAX_FILE_BYTES, file_kind, read_activity_file
from stravasync.archive.sports import sport_type
from stravasync.stats.facts import zone_of
from stravasync.stats.refresh import refresh_athlete_stats
from stravasync.store import Database
from stravasync.store.mirror import archive as queries
from stravasync.store.mirror.activities import apply_summaries
from stravasync.store.mirror.originals import Original, describe, put_originals
from stravasync.store.pending.syncstate import get_state, request_mode

log = logging.getLogger(__name__)
BATCH_ROWS = 500
BATCH_BYTES = 32 * 1024 * 1024  # original files held before a batch is stored early
CSV_NAME = "activities.csv"


@dataclass(slots=True)
class ImportReport:
    athlete_id: int
    archive: str
    rows: int = 0
    imported: int = 0
    refreshed: int = 0  # archive rows seen again and rewritten
    kept: int = 0  # already mirrored from the API (or deleted there): left alone
    problems: list[Problem] = field(default_factory=list)
    reconcile_requested: bool = False
    language: str = "unknown"  # of the export (e.g. "German"), from its header or its values
    originals: int = 0  # original files kept

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def as_json(self) -> dict[str, Any]:
        return {
            "athlete_id": self.athlete_id,
            "archive": self.archive,
            "rows": self.rows,
            "imported": self.imported,
            "refreshed": self.refreshed,
            "kept": self.kept,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "language": self.language,
            "originals": self.originals,
            "problems": [p.as_json() for p in self.problems],
            "reconcile_requested": self.reconcile_requested,
        }


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ArchiveError(str(path), "not a zip file (expected Strava's account export)") from None
    except OSError as exc:
        raise ArchiveError(str(path), f"cannot open: {exc.strerror or exc}") from None


def _csv_member(zf: zipfile.ZipFile, path: Path) -> tuple[str, str]:
    """(member name of activities.csv, prefix of the archive root inside the zip)."""
    names = [n for n in zf.namelist() if n == CSV_NAME or n.endswith("/" + CSV_NAME)]
    if not names:
        raise ArchiveError(str(path), f"no {CSV_NAME} in the archive (is it a Strava export?)")
    best = min(names, key=len)
    return best, best[: -len(CSV_NAME)]


def _read_csv(zf: zipfile.ZipFile, member: str, path: Path) -> str:
    if zf.getinfo(member).file_size > MAX_FILE_BYTES:
        raise ArchiveError(str(path), f"{CSV_NAME} is too large")
    try:
        return zf.read(member).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArchiveError(str(path), f"{CSV_NAME} is not UTF-8 text") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ArchiveError(str(path), f"{CSV_NAME} cannot be read: {exc}") from None


def _batches(rows: list[CsvActivity], size: int) -> Iterator[list[CsvActivity]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


@dataclass(slots=True)
class _Read:
    summary: dict[str, Any]
    original: tuple[str, str, bytes] | None  # (file name, kind, bytes as in the export)


class _Reader:
    """Turns CSV rows into summaries, reading each row's file; problems become values."""

    def __init__(
        self, zf: zipfile.ZipFile, root: str, athlete_id: int, zone: Any, language: str | None
    ) -> None:
        self.zf, self.root, self.athlete_id, self.zone = zf, root, athlete_id, zone
        self.language = language
        self.members = set(zf.namelist())

    def read(self, row: CsvActivity, problems: list[Problem]) -> _Read | None:
        facts = None
        original = None
        if row.filename:
            member = self.root + row.filename.lstrip("/")
            if member not in self.members:
                problems.append(
                    Problem(row.filename, "listed in activities.csv but not in the archive", row.id)
                )
                return None
            info = self.zf.getinfo(member)
            if info.file_size > MAX_FILE_BYTES:
                problems.append(Problem(row.filename, "file too large", row.id))
                return None
            try:
                data = self.zf.read(member)
                facts = read_activity_file(member, data)
            except ActivityFileError as exc:
                problems.append(Problem(row.filename, exc.reason, row.id))
                return None
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                problems.append(Problem(row.filename, f"damaged zip member: {exc}", row.id))
                return None
            if facts.defect:
                problems.append(Problem(row.filename, facts.defect, row.id, severity="warning"))
            original = (member.rsplit("/", 1)[-1], file_kind(member) or facts.kind, data)
        if row.activity_type and sport_type(row.activity_type, self.language) is None:
            problems.append(
                Problem(
                    f"{CSV_NAME} line {row.line}",
                    f"unknown activity type {row.activity_type!r} kept as written",
                    row.id,
                    severity="warning",
                )
            )
        summary = build_summary(self.athlete_id, row, facts, self.zone, self.language)
        return _Read(summary, original)


def import_archive(
    db: Database,
    athlete_id: int,
    path: Path,
    now: datetime,
    *,
    batch_rows: int = BATCH_ROWS,
    batch_bytes: int = BATCH_BYTES,
    on_batch: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import ``path`` (a Strava export zip) as ``athlete_id``'s history; see module doc.

    ``on_batch(rows, total)`` is told after each stored batch (progress for the CLI)."""
    report = ImportReport(athlete_id, str(path))
    with _open(path) as zf:
        member, root = _csv_member(zf, path)
        try:
            parsed = parse_activities_csv(_read_csv(zf, member, path))
        except MissingColumns as exc:
            raise ArchiveError(str(path), str(exc)) from None
        report.problems.extend(parsed.problems)
        report.language = parsed.language_name
        if parsed.unknown_columns:
            report.problems.append(
                Problem(
                    CSV_NAME,
                    "unknown columns ignored: " + ", ".join(parsed.unknown_columns),
                    severity="warning",
                )
            )
        rows = _unique(parsed.rows, report)
        report.rows = len(parsed.rows) + len(parsed.problems)
        with db.engine.connect() as conn:
            zone = zone_of(queries.latest_timezone(conn, athlete_id))
        reader = _Reader(zf, root, athlete_id, zone, parsed.language)
        pending: list[_Read] = []
        held = 0  # bytes of original files in ``pending``
        for batch in _batches(rows, batch_rows):
            for row in batch:
                read = reader.read(row, report.problems)
                if read is not None:
                    pending.append(read)
                    held += len(read.original[2]) if read.original else 0
                if held >= batch_bytes:  # originals: memory stays bounded
                    _store(db, athlete_id, pending, now, report)
                    pending, held = [], 0
            _store(db, athlete_id, pending, now, report)
            pending, held = [], 0
            if on_batch is not None:
                on_batch(len(batch), len(rows))
    with db.transaction() as conn:
        if get_state(conn, athlete_id) is not None and (report.imported or report.refreshed):
            report.reconcile_requested = request_mode(conn, athlete_id, "reconcile", now)
        refresh_athlete_stats(conn, athlete_id, now)
    log.info(
        "archive imported",
        extra={"athlete_id": athlete_id, "imported": report.imported, "errors": len(report.errors)},
    )
    return report


def _unique(rows: list[CsvActivity], report: ImportReport) -> list[CsvActivity]:
    seen: set[int] = set()
    out: list[CsvActivity] = []
    for row in rows:
        if row.id in seen:
            report.problems.append(
                Problem(f"{CSV_NAME} line {row.line}", "duplicate Activity ID", row.id)
            )
            continue
        seen.add(row.id)
        out.append(row)
    return out


def _store(
    db: Database,
    athlete_id: int,
    reads: list[_Read],
    now: datetime,
    report: ImportReport,
) -> None:
    if not reads:
        return
    with db.transaction() as conn:
        stored = queries.existing(conn, [int(r.summary["id"]) for r in reads])
        keep = []
        originals: list[Original] = []
        for read in reads:
            s = read.summary
            found = stored.get(int(s["id"]))
            if found is not None and found[0] != athlete_id:
                report.problems.append(
                    Problem(CSV_NAME, f"id belongs to athlete {found[0]} in the mirror", s["id"])
                )
                continue
            if found is None or (found[1] == "archive" and not found[2]):
                keep.append(s)
            else:
                report.kept += 1
            if read.original is not None and not (found is not None and found[2]):
                name, kind, data = read.original
                originals.append(describe(int(s["id"]), athlete_id, name, kind, data, now))
        result = apply_summaries(conn, athlete_id, keep, now, source="archive")
        report.imported += len(result.created)
        report.refreshed += len(result.updated) + len(result.social_only) + result.unchanged
        report.originals += put_originals(conn, originals)
