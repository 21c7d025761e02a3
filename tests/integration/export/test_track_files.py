"""GPX and TCX files of an activity's track, on SQLite and PostgreSQL: they validate against
the published schemas (tests/data/schemas), open in gpxpy with the right points, say where the
points came from, and the directory export is incremental."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gpxpy
import pytest
from typer.testing import CliRunner

from stravasync.cli import app
from stravasync.export import track_file
from stravasync.export.tracks.gpxfile import gpx_text
from stravasync.export.tracks.tcxfile import tcx_text
from stravasync.export.tracks.track import Track, TrackPoint
from stravasync.export.tracks.trackdir import write_track_files
from stravasync.store import Database
from stravasync.store.mirror.activities import apply_summaries, tombstone
from stravasync.store.mirror.track_reads import TrackRow
from stravasync.store.people.athletes import set_flags
from tests.integration.export.trackseed import (
    N_STREAM,
    NOW,
    OTHER_ID,
    ROUTE,
    START,
    SUMMARY_ROUTE,
    seed_tracks,
    streams,
    summary,
)
from tests.track_schemas import schema_errors, tcx_points

FORMATS = ("gpx", "tcx")


def _file(db: Database, activity_id: int, fmt: str) -> bytes:
    with db.engine.connect() as conn:
        found = track_file(conn, activity_id, "gpx" if fmt == "gpx" else "tcx")
    assert found is not None
    return found.data


def test_every_file_validates_against_the_published_schema(db: Database) -> None:
    seed_tracks(db)
    results = {}
    with db.engine.connect() as conn:
        for activity_id in (101, 102, 103, OTHER_ID):
            for fmt in FORMATS:
                found = track_file(conn, activity_id, "gpx" if fmt == "gpx" else "tcx")
                assert found is not None
                results[(activity_id, fmt)] = schema_errors(fmt, found.data)
    assert results == {key: [] for key in results}
    assert len(results) == 8


def test_gpx_from_streams_has_the_recorded_points(db: Database) -> None:
    seed_tracks(db)
    gpx = gpxpy.parse(_file(db, 101, "gpx").decode())
    assert "Track source: streams" in (gpx.description or "")
    assert gpx.name == "Activity 101 <&>" and gpx.tracks[0].type == "Ride"
    points = gpx.tracks[0].segments[0].points
    data = streams()
    assert len(points) == N_STREAM
    assert [(p.latitude, p.longitude) for p in points] == [tuple(x) for x in data["latlng"]["data"]]
    assert [p.time for p in points] == [START + timedelta(seconds=t) for t in data["time"]["data"]]
    assert [p.elevation for p in points] == data["altitude"]["data"]
    hr = [e.text for p in points for x in p.extensions for e in x if e.tag.endswith("}hr")]
    assert hr == [str(v) for v in data["heartrate"]["data"]]


def test_gpx_from_a_polyline_has_positions_only(db: Database) -> None:
    seed_tracks(db)
    full = gpxpy.parse(_file(db, 102, "gpx").decode())  # the detail's full polyline
    points = full.tracks[0].segments[0].points
    assert [(p.latitude, p.longitude) for p in points] == [
        (round(a, 5), round(b, 5)) for a, b in ROUTE
    ]
    assert all(p.time is None and p.elevation is None for p in points)
    assert "Track source: polyline" in (full.description or "")
    summary_only = gpxpy.parse(_file(db, 103, "gpx").decode())
    assert len(summary_only.tracks[0].segments[0].points) == len(SUMMARY_ROUTE)


def test_tcx_times_recorded_or_spread_over_the_moving_time(db: Database) -> None:
    seed_tracks(db)
    recorded = tcx_points(_file(db, 101, "tcx"))
    assert [t for t, _, _ in recorded] == [
        START + timedelta(seconds=5 * i) for i in range(N_STREAM)
    ]
    spread = tcx_points(_file(db, 102, "tcx"))
    assert len(spread) == len(ROUTE)
    times = [t for t, _, _ in spread]
    start = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    assert times[0] == start and times[-1] == start + timedelta(seconds=3000)  # moving time
    assert times == sorted(times)
    assert [(a, b) for _, a, b in spread] == [(round(a, 5), round(b, 5)) for a, b in ROUTE]
    tcx = _file(db, 102, "tcx").decode()
    assert '<Activity Sport="Running">' in tcx and "Track source: polyline" in tcx


def test_no_track_no_file(db: Database) -> None:
    seed_tracks(db)
    with db.engine.connect() as conn:
        assert track_file(conn, 104, "gpx") is None  # indoor: no streams, no polyline
        assert track_file(conn, 105, "gpx") is None  # deleted
        assert track_file(conn, 999, "tcx") is None  # unknown


def test_edge_values_stay_valid() -> None:
    info = TrackRow(
        id=1,
        athlete_id=1,
        name="bell \x07 and \x0b tab & <b>",
        sport_type="Kayaking",
        start_date=START,
        elapsed_time=None,
        moving_time=None,
        distance=None,
        calories=1e9,
        polyline=None,
        updated_at=NOW,
        detail_fetched_at=None,
    )
    odd = [
        TrackPoint(1e-05, -179.99999, START, -1e-7, 0.0, 0, 255, -5, -40.5),
        TrackPoint(
            -89.999,
            179.99999,
            START + timedelta(milliseconds=1500),
            8848.86,
            1e7,
            300,
            80,
            70000,
            None,
        ),
        TrackPoint(0.0, 0.0, START + timedelta(seconds=3), None, None, 1, 0, None, 1e-9),
    ]
    for source in ("streams", "polyline"):
        track = Track(source, odd)  # type: ignore[arg-type]
        gpx = gpx_text(info, track).encode()
        tcx = (tcx_text(info, track) or "").encode()
        assert schema_errors("gpx", gpx) == []
        assert schema_errors("tcx", tcx) == []
        assert len(gpxpy.parse(gpx.decode()).tracks[0].segments[0].points) == 3
    assert b"\x07" not in gpx and b"&lt;b&gt;" in gpx
    assert b'Sport="Other"' in tcx and b"<Calories>65535</Calories>" in tcx


def test_the_directory_export_is_incremental(db: Database, tmp_path: Path) -> None:
    seed_tracks(db)
    out = tmp_path / "tracks"
    with db.engine.connect() as conn:
        first = write_track_files(conn, out, "gpx")
    assert first == {"activities": 4, "written": 4, "unchanged": 0, "removed": 0}
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*.gpx"))
    assert names == [
        "1/2026-03-02_101.gpx",
        "1/2026-03-03_102.gpx",
        "1/2026-03-04_103.gpx",
        f"2/2026-03-07_{OTHER_ID}.gpx",
    ]
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.gpx")}
    with db.engine.connect() as conn:
        again = write_track_files(conn, out, "gpx")
    assert again == {"activities": 4, "written": 0, "unchanged": 4, "removed": 0}
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.gpx")} == stamps  # not rewritten

    later = NOW + timedelta(days=1)
    with db.transaction() as conn:
        tombstone(conn, [101], later)
        apply_summaries(conn, 1, [summary(1, 103, 4, ROUTE)], later)  # a new route line
    with db.engine.connect() as conn:
        third = write_track_files(conn, out, "gpx")
    assert third == {"activities": 3, "written": 1, "unchanged": 2, "removed": 1}
    assert not (out / "1" / "2026-03-02_101.gpx").exists()
    redrawn = gpxpy.parse((out / "1" / "2026-03-04_103.gpx").read_text())
    assert len(redrawn.tracks[0].segments[0].points) == len(ROUTE)

    with db.engine.connect() as conn:  # one athlete's run leaves the other's files alone
        mine = write_track_files(conn, out, "gpx", athlete_id=2)
    assert mine == {"activities": 1, "written": 0, "unchanged": 1, "removed": 0}
    assert (out / "1" / "2026-03-03_102.gpx").exists()
    with db.transaction() as conn:
        set_flags(conn, 2, now=later, hidden=True)
    with db.engine.connect() as conn:
        hidden = write_track_files(conn, out, "gpx")
    assert hidden["removed"] == 1 and not list((out / "2").glob("*.gpx"))
    manifest = json.loads((out / ".stravasync-gpx.json").read_text())
    assert set(manifest["files"]) == {"102", "103"}


def test_export_command_writes_gpx_and_tcx(
    db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_tracks(db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STRAVASYNC_DATABASE_URL", db_url)
    runner = CliRunner()
    for fmt in FORMATS:
        res = runner.invoke(app, ["export", "--format", fmt, "--out", fmt, "--json"])
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["written"] == 4
        again = runner.invoke(app, ["export", "--format", fmt, "--out", fmt, "--json"])
        assert json.loads(again.stdout)["written"] == 0
        assert len(list((tmp_path / fmt).rglob(f"*.{fmt}"))) == 4
    one = runner.invoke(app, ["export", "--format", "gpx", "--out", "mine", "--athlete", "2"])
    assert one.exit_code == 0, one.output
    assert "1 activities, 1 written" in one.output


def test_a_tampered_manifest_cannot_remove_files_outside_the_folder(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'm.db'}")
    outside = tmp_path / "keep.txt"
    outside.write_text("mine")
    out = tmp_path / "tracks"
    out.mkdir()
    files = {"7": {"path": "../keep.txt", "mark": "x", "athlete_id": 1}}
    (out / ".stravasync-gpx.json").write_text(json.dumps({"files": files}))
    try:
        with db.engine.connect() as conn:
            report = write_track_files(conn, out, "gpx")
    finally:
        db.close()
    assert report == {"activities": 0, "written": 0, "unchanged": 0, "removed": 0}
    assert outside.read_text() == "mine"
