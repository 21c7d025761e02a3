"""Archive import end to end: a simulator-made export into SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stravasync.archive.errors import ArchiveError
from stravasync.archive.importer import import_archive
from stravasync.clock import to_epoch
from stravasync.simulator.config import SimConfig
from stravasync.simulator.content.archive import write_archive
from stravasync.simulator.content.render import summary as api_summary
from stravasync.simulator.content.world import World
from stravasync.stats.service import athlete_stats
from stravasync.store import Database
from stravasync.store.mirror.activities import apply_summaries, tombstone
from stravasync.store.pending.syncstate import get_state
from stravasync.store.people.athletes import upsert_athlete
from stravasync.store.schema import activities
from stravasync.store.schema import athlete_stats as stats_table

NOW = datetime(2026, 3, 1, tzinfo=UTC)
ATHLETE = 10_000_001
COMPARED = (
    "name", "sport_type", "distance", "moving_time", "elapsed_time", "total_elevation_gain",
    "max_speed", "average_speed", "commute", "manual", "utc_offset",
)  # fmt: skip


@pytest.fixture(scope="module")
def world() -> World:
    return World(SimConfig(seed=3, athletes=3, history_days=50, start=NOW), to_epoch(NOW))


@pytest.fixture(scope="module")
def plain(world: World) -> bytes:
    """The export zip (built once: FIT encoding is the slow part)."""
    buf = io.BytesIO()
    write_archive(world, ATHLETE, NOW, buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def older(world: World) -> bytes:
    """An export requested 30 days before NOW."""
    buf = io.BytesIO()
    write_archive(world, ATHLETE, NOW, buf, before=NOW - timedelta(days=30))
    return buf.getvalue()


def api_truth(world: World) -> dict[int, dict[str, object]]:
    now = to_epoch(NOW)
    return {a.id: api_summary(a, now) for a in world.visible(ATHLETE, now)}


def stored(db: Database) -> dict[int, dict[str, object]]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(activities).where(activities.c.athlete_id == ATHLETE))
        return {r.id: dict(r._mapping) for r in rows}


def connect(db: Database) -> None:
    with db.transaction() as conn:
        upsert_athlete(conn, athlete_id=ATHLETE, profile={}, scopes="read", now=NOW)


def test_import_matches_the_api(db: Database, world: World, plain: bytes, tmp_path: Path) -> None:
    connect(db)
    path = tmp_path / "export.zip"
    path.write_bytes(plain)
    report = import_archive(db, ATHLETE, path, NOW + timedelta(hours=1))
    assert report.errors == []
    assert report.imported == len(api_truth(world)) > 15
    assert report.reconcile_requested
    truth = api_truth(world)
    rows = stored(db)
    assert set(rows) == set(truth)
    for act_id, api in truth.items():
        row = rows[act_id]
        assert row["source"] == "archive"
        assert row["start_date"].strftime("%Y-%m-%dT%H:%M:%SZ") == api["start_date"]
        for name in COMPARED:
            if name == "utc_offset" and row[name] is None:
                continue  # GPX and manual rows without a known zone
            assert row[name] == api[name], (act_id, name)
        if row["start_date_local"] is not None:
            assert row["start_date_local"].strftime("%Y-%m-%dT%H:%M:%SZ") == api["start_date_local"]
    with db.engine.connect() as conn:
        state = get_state(conn, ATHLETE)
        assert state is not None and state["requested_mode"] == "reconcile"
        assert state["due_at"] == NOW + timedelta(hours=1)
        assert conn.execute(select(func.count()).select_from(stats_table)).scalar_one() == 1
        assert athlete_stats(conn, ATHLETE)["activity_count"] == len(truth)


def test_rerun_is_idempotent_and_api_rows_win(
    db: Database, world: World, plain: bytes, tmp_path: Path
) -> None:
    connect(db)
    truth = api_truth(world)
    ids = sorted(truth)
    api_id, dead_id = ids[0], ids[1]
    with db.transaction() as conn:
        fresher = dict(truth[api_id], name="Renamed on Strava")
        apply_summaries(conn, ATHLETE, [fresher, truth[dead_id]], NOW)
        tombstone(conn, [dead_id], NOW)
    path = tmp_path / "export.zip"
    path.write_bytes(plain)
    first = import_archive(db, ATHLETE, path, NOW)
    second = import_archive(db, ATHLETE, path, NOW)
    assert first.kept == second.kept == 2
    assert first.imported == len(ids) - 2
    assert second.imported == 0 and second.refreshed == len(ids) - 2
    rows = stored(db)
    assert rows[api_id]["name"] == "Renamed on Strava" and rows[api_id]["source"] == "api"
    assert rows[dead_id]["deleted_at"] is not None


@pytest.fixture(scope="module")
def damaged(world: World) -> tuple[bytes, int, int, str, str]:
    """An export with one corrupt FIT file, one missing file and an unknown column."""
    now = to_epoch(NOW)
    truth = api_truth(world)
    acts = world.visible(ATHLETE, now)
    gps = [a.id for a in acts if not truth[a.id]["manual"] and truth[a.id]["start_latlng"]]
    garmin = [i for i in gps if truth[i]["device_name"] not in ("Zwift", "Strava App")]
    fit_id = next(i for i in garmin if i % 5)  # a .fit.gz file
    gone_id = next(i for i in gps if i != fit_id)
    buf = io.BytesIO()
    probe = write_archive(
        world, ATHLETE, NOW, buf, corrupt=[fit_id], extra_columns={"Future Column": "?"}
    )
    fit_name, gone_name = str(probe.files[fit_id]), str(probe.files[gone_id])
    assert fit_name.endswith(".fit.gz")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != gone_name:  # drop one referenced file
                dst.writestr(info, src.read(info))
    return out.getvalue(), fit_id, gone_id, fit_name, gone_name


def test_bad_files_are_reported_and_the_rest_imported(
    db: Database, world: World, damaged: tuple[bytes, int, int, str, str], tmp_path: Path
) -> None:
    connect(db)
    data, fit_id, gone_id, fit_name, _ = damaged
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    truth = api_truth(world)
    report = import_archive(db, ATHLETE, path, NOW)
    errors = {p.activity_id: p for p in report.errors}
    assert set(errors) == {fit_id, gone_id}
    assert "corrupt" in errors[fit_id].reason
    assert errors[fit_id].where == fit_name
    assert "not in the archive" in errors[gone_id].reason
    warnings = [p for p in report.problems if p.severity == "warning"]
    assert len(warnings) == 1 and "Future Column" in warnings[0].reason
    rows = stored(db)
    assert set(rows) == set(truth) - {fit_id, gone_id}  # no partial row for the bad ones
    assert report.imported == len(truth) - 2


def test_whole_archive_errors(db: Database, tmp_path: Path) -> None:
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    with pytest.raises(ArchiveError, match="not a zip file"):
        import_archive(db, ATHLETE, not_zip, NOW)
    with pytest.raises(ArchiveError, match="cannot open"):
        import_archive(db, ATHLETE, tmp_path / "missing.zip", NOW)
    no_csv = tmp_path / "nocsv.zip"
    with zipfile.ZipFile(no_csv, "w") as zf:
        zf.writestr("activities/1.gpx", "<gpx/>")
    with pytest.raises(ArchiveError, match=r"no activities\.csv"):
        import_archive(db, ATHLETE, no_csv, NOW)
    bad_header = tmp_path / "badheader.zip"
    with zipfile.ZipFile(bad_header, "w") as zf:
        zf.writestr("activities.csv", "Name,Distance\nx,1\n")
    with pytest.raises(ArchiveError, match="Activity ID, Activity Date"):
        import_archive(db, ATHLETE, bad_header, NOW)
    assert stored(db) == {}


def test_import_without_a_connected_athlete(db: Database, older: bytes, tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(older)
    report = import_archive(db, ATHLETE, path, NOW)
    assert report.imported > 0
    assert report.reconcile_requested is False  # nothing to reconcile with until they connect
    assert all(r["start_date"] < NOW - timedelta(days=30) for r in stored(db).values())


def test_import_reports_progress_per_batch(
    db: Database, world: World, plain: bytes, tmp_path: Path
) -> None:
    connect(db)
    path = tmp_path / "export.zip"
    path.write_bytes(plain)
    seen: list[tuple[int, int]] = []
    report = import_archive(
        db, ATHLETE, path, NOW, batch_rows=4, on_batch=lambda n, total: seen.append((n, total))
    )
    total = report.imported
    assert total > 15 and len(seen) == -(-total // 4)  # one report per batch of 4
    assert sum(n for n, _ in seen) == total and {t for _, t in seen} == {total}
