"""Import of archives built from real material (tests/data/archive, SOURCES.md): real device
files, real English/German/French headers; original files kept, served, exported and purged.
Runs on SQLite and PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from stravasync.archive.importer import ImportReport, import_archive
from stravasync.clock import VirtualClock
from stravasync.export.originals import write_originals
from stravasync.store import Database
from stravasync.store.mirror.activities import remove, tombstone
from stravasync.store.mirror.originals import get_original, list_originals
from stravasync.store.people.athletes import upsert_athlete
from stravasync.store.people.purge import purge_athlete
from stravasync.store.schema import activities, activity_originals, athletes
from stravasync.web.app import create_app
from tests.archive_material import (
    HEADER_DE_92,
    HEADER_EN_103,
    HEADER_FR_21,
    MISSING_STEPS,
    csv_text,
    read,
)
from tests.integration.web.conftest import api_headers, make_settings

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ATHLETE = 4_242_001
RUN_FIT = read("garmin-fenix-5-run.fit")
TRUNCATED = RUN_FIT[:30]  # nothing useful decodes: the row is refused


@dataclass(frozen=True)
class Row:
    id: int
    date: str
    kind: str  # the Activity Type cell
    member: str | None  # file name under activities/, None: manual activity
    data: bytes | None  # bytes in the zip, None: listed but absent


ENGLISH_ROWS = [
    Row(101, "Jun 11, 2017, 2:34:09 PM", "Run", "101.fit.gz", read("garmin-fenix-5-run.fit.gz")),
    Row(102, "Jun 12, 2017, 4:09:22 PM", "Ride", "102.fit", read("garmin-fenix-5-bike.fit")),
    Row(103, "Sep 27, 2021, 2:13:10 PM", "Football (Soccer)", "103.fit",
        read("strava-android-app-201.10-b1218918.fit")),
    Row(104, "Apr 9, 2012, 9:22:26 PM", "Run", "104.fit", read("activity-unexpected-eof.fit")),
    Row(105, "Aug 5, 2010, 2:23:59 PM", "Hike", "105.gpx", read("cerknicko-jezero.gpx")),
    Row(106, "Jan 1, 2020, 7:00:00 AM", "Stand Up Paddling", "106.tcx",
        read("sup_activity_1.tcx")),
    Row(107, "Aug 15, 2015, 2:45:08 PM", "Run", "107.fit", read("activity-small-fenix2-run.fit")),
    Row(108, "Mar 3, 2024, 6:00:00 PM", "Rock Climb", None, None),
    Row(109, "Mar 4, 2024, 6:00:00 PM", "Run", "109.fit", None),
    Row(110, "Mar 5, 2024, 6:00:00 PM", "E-Bike Ride", "110.fit", TRUNCATED),
]  # fmt: skip
GERMAN_ROWS = [
    Row(201, "11.06.2017, 14:34:09", "Lauf", "201.fit.gz", read("garmin-fenix-5-run.fit.gz")),
    Row(202, "27.09.2021, 14:13:10", "Radfahrt", "202.fit",
        read("strava-android-app-201.10-b1218918.fit")),
    Row(203, "05.08.2010, 14:23:59", "Wanderung", "203.gpx.gz",
        gzip.compress(read("cerknicko-jezero.gpx"), mtime=0)),
]  # fmt: skip
FRENCH_ROWS = [
    Row(301, "11 juin 2017, 14:34:09", "Course à pied", "301.fit", RUN_FIT),
    Row(302, "12 juin 2017, 16:09:22", "Vélo", "302.fit", read("garmin-fenix-5-bike.fit")),
]

COLUMNS = {  # English name -> this header's name, per language
    "en": {"id": "Activity ID", "date": "Activity Date", "name": "Activity Name",
           "type": "Activity Type", "file": "Filename", "elapsed": "Elapsed Time"},
    "de": {"id": "Aktivitäts-ID", "date": "Aktivitätsdatum", "name": "Name der Aktivität",
           "type": "Aktivitätsart", "file": "Dateiname", "elapsed": "Verstrichene Zeit"},
    "fr": {"id": "ID de l'activité", "date": "Date de l'activité", "name": "Nom de l'activité",
           "type": "Type d'activité", "file": "Nom du fichier", "elapsed": "Temps écoulé"},
}  # fmt: skip


def build_zip(header: str, lang: str, rows: list[Row]) -> bytes:
    c = COLUMNS[lang]
    cells = [
        {
            (c["id"], 1): str(r.id),
            (c["date"], 1): r.date,
            (c["name"], 1): f"Activity {r.id}",
            (c["type"], 1): r.kind,
            (c["file"], 1): f"activities/{r.member}" if r.member else "",
            (c["elapsed"], 2): "1800",
        }
        for r in rows
    ]
    text = csv_text(header, cells)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", text)
        for r in rows:
            if r.member and r.data is not None:
                zf.writestr(f"activities/{r.member}", r.data)
        zf.writestr("profile.csv", "Athlete ID\n1\n")
    return buf.getvalue()


def english_header() -> str:
    return HEADER_EN_103.replace("Total Steps", "X_STEPS")


def run(db: Database, tmp_path: Path, name: str, data: bytes, **opts: int) -> ImportReport:
    with db.transaction() as conn:
        upsert_athlete(conn, athlete_id=ATHLETE, profile={}, scopes="read", now=NOW)
    path = tmp_path / name
    path.write_bytes(data)
    return import_archive(db, ATHLETE, path, NOW, **opts)


def english_zip() -> bytes:
    raw = build_zip(english_header(), "en", ENGLISH_ROWS)
    # put Strava's untranslated HTML header cell where Total Steps is
    src = zipfile.ZipFile(io.BytesIO(raw))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "activities.csv":
                cell = '"' + MISSING_STEPS.replace('"', '""') + '"'
                body = body.decode().replace("X_STEPS", cell, 1).encode()
            out.writestr(info.filename, body)
    return buf.getvalue()


def hide(db: Database, hidden: bool) -> None:
    with db.transaction() as conn:
        conn.execute(update(athletes).where(athletes.c.id == ATHLETE).values(hidden=hidden))


def stored(db: Database) -> dict[int, str]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(activities.c.id, activities.c.sport_type).where(
                activities.c.athlete_id == ATHLETE
            )
        )
        return {int(r.id): str(r.sport_type) for r in rows}


def test_english_export_with_real_and_defective_files(db: Database, tmp_path: Path) -> None:
    report = run(db, tmp_path, "en.zip", english_zip())
    assert report.language == "English"
    assert (report.rows, report.imported) == (10, 8)
    assert sorted((p.activity_id, p.severity) for p in report.problems) == [
        (103, "warning"), (104, "warning"), (109, "error"), (110, "error"),
    ]  # fmt: skip
    assert not any("unknown columns" in p.reason for p in report.problems)
    sports = stored(db)
    assert sorted(sports) == [101, 102, 103, 104, 105, 106, 107, 108]
    assert (sports[103], sports[106], sports[108]) == ("Soccer", "StandUpPaddling", "RockClimbing")
    assert report.originals == 7
    with db.engine.connect() as conn:
        kept = get_original(conn, 101)
        assert kept is not None
        assert kept.data == read("garmin-fenix-5-run.fit.gz")  # kept gzipped, as given
        assert (kept.info.compression, kept.info.media_type) == ("gzip", "application/vnd.ant.fit")
        assert kept.info.sha256 == hashlib.sha256(kept.data).hexdigest()
        assert kept.info.size == len(kept.data)
        gpx = get_original(conn, 105)
        assert gpx is not None and gpx.info.media_type == "application/gpx+xml"
        assert gpx.info.compression is None and gpx.data == read("cerknicko-jezero.gpx")
        assert get_original(conn, 108) is None  # manual: no file
    again = run(db, tmp_path, "en.zip", english_zip())  # idempotent, originals replaced
    assert (again.imported, again.refreshed, again.originals) == (0, 8, 7)
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(activity_originals)).scalar() == 7


def test_originals_held_in_memory_are_bounded(db: Database, tmp_path: Path) -> None:
    """A batch is stored early once its files pass ``batch_bytes``: the same result."""
    report = run(db, tmp_path, "en.zip", english_zip(), batch_bytes=50_000)
    assert (report.imported, report.originals, len(report.errors)) == (8, 7, 2)
    with db.engine.connect() as conn:
        assert len(list_originals(conn, ATHLETE)) == 7


def test_mirror_original(db: Database, db_url: str, tmp_path: Path) -> None:
    from stravasync import Mirror

    run(db, tmp_path, "en.zip", english_zip())
    with Mirror.open(db_url) as mirror:
        found = mirror.original(107)
        assert found is not None
        assert found.data == read("activity-small-fenix2-run.fit")
        assert (found.name, found.compression) == ("107.fit", None)
        assert found.sha256 == hashlib.sha256(found.data).hexdigest()
        assert mirror.original(108) is None and mirror.original(1) is None


def test_german_export(db: Database, tmp_path: Path) -> None:
    report = run(db, tmp_path, "de.zip", build_zip(HEADER_DE_92, "de", GERMAN_ROWS))
    assert report.language == "German"
    assert (report.rows, report.imported, len(report.errors)) == (3, 3, 0)
    assert [p.activity_id for p in report.warnings] == [202]  # the Strava app's defect
    assert stored(db) == {201: "Run", 202: "Ride", 203: "Hike"}
    with db.engine.connect() as conn:
        infos = {i.activity_id: i for i in list_originals(conn, ATHLETE)}
    assert infos[203].file_name == "203.gpx.gz" and infos[203].compression == "gzip"


def test_french_export(db: Database, tmp_path: Path) -> None:
    report = run(db, tmp_path, "fr.zip", build_zip(HEADER_FR_21, "fr", FRENCH_ROWS))
    assert report.language == "French"
    assert (report.rows, report.imported, report.problems) == (2, 2, [])
    assert stored(db) == {301: "Run", 302: "Ride"}
    with db.engine.connect() as conn:
        start = conn.execute(select(activities.c.start_date).where(activities.c.id == 301))
        assert start.scalar() == datetime(2017, 6, 11, 14, 34, 9, tzinfo=UTC)


def test_original_route(db: Database, db_url: str, tmp_path: Path) -> None:
    run(db, tmp_path, "en.zip", english_zip())
    app = create_app(make_settings(db_url), db, clock=VirtualClock(NOW))
    with TestClient(app) as client:
        res = client.get("/api/activities/101/original", headers=api_headers())
        assert res.status_code == 200
        assert res.content == read("garmin-fenix-5-run.fit.gz")
        assert res.headers["content-type"] == "application/gzip"
        assert res.headers["content-disposition"] == 'attachment; filename="101.fit.gz"'
        assert res.headers["x-original-media-type"] == "application/vnd.ant.fit"
        tcx = client.get("/api/activities/106/original", headers=api_headers())
        assert tcx.headers["content-type"].startswith("application/vnd.garmin.tcx+xml")
        assert tcx.content == read("sup_activity_1.tcx")
        assert client.get("/api/activities/108/original", headers=api_headers()).status_code == 404
        assert client.get("/api/activities/999/original", headers=api_headers()).status_code == 404
        assert client.get("/api/activities/101/original").status_code == 401
        assert client.get("/api/activities/0/original", headers=api_headers()).status_code == 422
        hide(db, True)
        assert client.get("/api/activities/101/original", headers=api_headers()).status_code == 404
        shown = client.get(
            "/api/activities/101/original", params={"include_hidden": "true"}, headers=api_headers()
        )
        assert shown.status_code == 200 and shown.content == read("garmin-fenix-5-run.fit.gz")
        hide(db, False)
        with db.transaction() as conn:
            tombstone(conn, [102], NOW)
            remove(conn, [105], now=NOW)
        assert client.get("/api/activities/102/original", headers=api_headers()).status_code == 404
    with db.engine.connect() as conn:
        assert {i.activity_id for i in list_originals(conn)} == {101, 103, 104, 106, 107}


def test_export_originals_is_incremental(db: Database, tmp_path: Path) -> None:
    run(db, tmp_path, "en.zip", english_zip())
    out = tmp_path / "originals"
    with db.engine.connect() as conn:
        first = write_originals(conn, out)
    assert first == {"activities": 7, "written": 7, "unchanged": 0}
    target = out / str(ATHLETE) / "101.fit.gz"
    assert target.read_bytes() == read("garmin-fenix-5-run.fit.gz")
    assert (out / str(ATHLETE) / "105.gpx").read_bytes() == read("cerknicko-jezero.gpx")
    (out / str(ATHLETE) / "102.fit").write_bytes(b"changed on disk")
    with db.engine.connect() as conn:
        second = write_originals(conn, out)
    assert second == {"activities": 7, "written": 1, "unchanged": 6}
    assert (out / str(ATHLETE) / "102.fit").read_bytes() == read("garmin-fenix-5-bike.fit")
    with db.engine.connect() as conn:
        assert write_originals(conn, tmp_path / "none", athlete_id=1)["activities"] == 0
    hide(db, True)
    with db.engine.connect() as conn:
        assert write_originals(conn, tmp_path / "hidden")["activities"] == 0
        assert write_originals(conn, tmp_path / "hidden", include_hidden=True)["written"] == 7


def test_purge_removes_the_originals(db: Database, tmp_path: Path) -> None:
    run(db, tmp_path, "en.zip", english_zip())
    with db.transaction() as conn:
        removed = purge_athlete(conn, ATHLETE)
    assert removed["activity_originals"] == 7
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(activity_originals)).scalar() == 0


@pytest.mark.parametrize("fmt", ["originals"])
def test_cli_export_originals(db_url: str, tmp_path: Path, fmt: str, db: Database) -> None:
    from typer.testing import CliRunner

    from stravasync.cli import app

    run(db, tmp_path, "en.zip", english_zip())
    env = {"STRAVASYNC_DATABASE_URL": db_url}
    out = tmp_path / "cli-out"
    args = ["export", "--format", fmt, "--out", str(out), "--json"]
    res = CliRunner().invoke(app, [*args, "--mkdir"], env=env)
    assert res.exit_code == 0, res.output
    assert '"written": 7' in res.stdout
    res = CliRunner().invoke(app, args, env=env)
    assert '"unchanged": 7' in res.stdout
    assert sorted(p.name for p in (out / str(ATHLETE)).iterdir()) == [
        "101.fit.gz", "102.fit", "103.fit", "104.fit", "105.gpx", "106.tcx", "107.fit",
    ]  # fmt: skip
