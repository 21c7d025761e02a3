"""DuckDB warehouse: tables, views matching stravasync.stats, cheap upsert re-runs, query."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from stravasync.export.errors import QueryFailed, WarehouseMissing
from stravasync.export.query import run_query
from stravasync.export.warehouse import refresh_warehouse
from stravasync.stats.service import athlete_stats
from stravasync.store import Database
from stravasync.store.mirror.activities import apply_summaries, remove, store_detail, tombstone
from stravasync.store.mirror.streams import store_streams
from tests.integration.export.seed import NOW, detail, seed_mirror, streams, summary


def q(path: Path, sql: str) -> list[tuple[object, ...]]:
    return run_query(path, sql).rows


def test_build_then_incremental_refresh(db: Database, tmp_path: Path) -> None:
    seed_mirror(db)
    wh = tmp_path / "w.duckdb"
    with db.engine.connect() as conn:
        first = refresh_warehouse(conn, wh)
    assert (first.full, first.upserted, first.detail_activities) == (True, 3, 1)
    assert q(wh, "SELECT id FROM activities ORDER BY id") == [(11,), (12,), (21,)]
    assert q(wh, "SELECT count(*) FROM laps") == [(2,)]
    assert q(wh, "SELECT id FROM races") == [(12,)]
    assert q(
        wh, "SELECT athlete_id, month, sport_type, count FROM monthly_totals ORDER BY 1, 3"
    ) == [
        (1, "2026-03", "Ride", 1),
        (1, "2026-03", "Run", 1),
        (2, "2026-03", "Ride", 1),
    ]
    assert q(wh, "SELECT week FROM weekly_totals WHERE athlete_id = 2") == [("2026-W10",)]

    # nothing changed: the re-run reads nothing but the ids sweep
    with db.engine.connect() as conn:
        again = refresh_warehouse(conn, wh)
    assert (again.full, again.upserted, again.removed) == (False, 3, 0)  # within margin

    later = NOW + timedelta(days=1)
    with db.transaction() as conn:
        apply_summaries(conn, 1, [summary(1, 14, 6, 7.0)], later)
        tombstone(conn, [11], later)
        remove(conn, [21], now=later)
    with db.engine.connect() as conn:
        third = refresh_warehouse(conn, wh)
    assert third.upserted == 2  # 14 (new) and 12 (inside the margin); 11 and 21 swept
    assert third.removed == 2
    assert q(wh, "SELECT id FROM activities ORDER BY id") == [(12,), (14,)]

    with db.engine.connect() as conn:
        fourth = refresh_warehouse(conn, wh)
    assert fourth.upserted == 1  # only 14 is inside the margin of the newest mark
    with db.engine.connect() as conn:
        full = refresh_warehouse(conn, wh, full=True)
    assert (full.full, full.upserted) == (True, 2)
    assert q(wh, "SELECT count(*) FROM laps") == [(2,)]


def test_eddington_view_agrees_with_stats(db: Database, tmp_path: Path) -> None:
    seed_mirror(db)
    with db.transaction() as conn:
        apply_summaries(conn, 1, [summary(1, 100 + d, d, 2.0 + d) for d in range(4, 20)], NOW)
    wh = tmp_path / "w.duckdb"
    with db.engine.connect() as conn:
        refresh_warehouse(conn, wh)
        stats = athlete_stats(conn, 1)["eddington"]
    rows = q(wh, "SELECT sport_group, eddington_km, eddington_miles FROM eddington "
             "WHERE athlete_id = 1 ORDER BY 1")  # fmt: skip
    assert rows == [
        (g, stats[g]["km"]["number"], stats[g]["miles"]["number"])
        for g in ("overall", "ride", "run")
    ]
    assert stats["ride"]["km"]["number"] == 11  # days 4..19: 6..21 km + day 1: 30 km


def test_query_errors(tmp_path: Path, db: Database) -> None:
    with pytest.raises(WarehouseMissing, match="stravasync export --format duckdb"):
        run_query(tmp_path / "none.duckdb", "SELECT 1")
    wh = tmp_path / "w.duckdb"
    with db.engine.connect() as conn:
        refresh_warehouse(conn, wh)
    with pytest.raises(QueryFailed, match="nope"):
        run_query(wh, "SELECT * FROM nope")
    assert run_query(wh, "SELECT 1 AS one").as_dicts() == [{"one": 1}]


def test_sweep_walks_pages_and_leaves_out_raw_json(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep compares one page of live ids at a time: removals before, inside and after."""
    from stravasync.export import warehouse
    from stravasync.store.mirror import exports

    seed_mirror(db)
    with db.transaction() as conn:
        apply_summaries(conn, 1, [summary(1, 14, 6, 7.0), summary(1, 30, 7, 8.0)], NOW)
    pages = exports.iter_live_ids
    monkeypatch.setattr(
        warehouse.queries,
        "iter_live_ids",
        lambda c, include_hidden: pages(c, page_rows=2, include_hidden=include_hidden),
    )
    wh = tmp_path / "w.duckdb"
    with db.engine.connect() as conn:
        refresh_warehouse(conn, wh)
    assert q(wh, "SELECT id FROM activities ORDER BY id") == [(11,), (12,), (14,), (21,), (30,)]
    assert "summary_json" not in [r[0] for r in q(wh, "DESCRIBE activities")]
    later = NOW + timedelta(days=1)
    with db.transaction() as conn:
        tombstone(conn, [11], later)
        remove(conn, [14, 30], now=later)
    with db.engine.connect() as conn:
        report = refresh_warehouse(conn, wh)
    assert (report.full, report.removed) == (False, 3)
    assert q(wh, "SELECT id FROM activities ORDER BY id") == [(12,), (21,)]
    assert q(wh, "SELECT count(*) FROM laps") == [(2,)]
    with db.transaction() as conn:
        remove(conn, [12], now=later)
    with db.engine.connect() as conn:
        assert refresh_warehouse(conn, wh).removed == 1
    assert q(wh, "SELECT count(*) FROM laps") == [(0,)]
    assert q(wh, "SELECT count(*) FROM splits") == [(0,)]


def test_older_layout_is_rebuilt(db: Database, tmp_path: Path) -> None:
    """A warehouse whose activities table still has summary_json is recreated in full."""
    import duckdb

    seed_mirror(db)
    wh = tmp_path / "w.duckdb"
    with db.engine.connect() as conn:
        refresh_warehouse(conn, wh)
    con = duckdb.connect(str(wh))
    con.execute("ALTER TABLE activities ADD COLUMN summary_json VARCHAR")
    con.close()
    with db.engine.connect() as conn:
        report = refresh_warehouse(conn, wh)
    assert (report.full, report.upserted) == (True, 3)
    assert "summary_json" not in [r[0] for r in q(wh, "DESCRIBE activities")]
    assert q(wh, "SELECT count(*) FROM monthly_totals") != [(0,)]


def test_streams_follow_refetches_and_removals(db: Database, tmp_path: Path) -> None:
    """Re-fetched streams replace the samples (never doubled), new ones are added by an
    incremental run, and a removed activity's samples go; a warehouse written before the
    streams table existed is rebuilt in full (its old activities' samples are read too)."""
    seed_mirror(db)
    wh = tmp_path / "w.duckdb"
    with db.engine.connect() as conn:
        first = refresh_warehouse(conn, wh)
    assert first.stream_samples == 6
    assert q(wh, "SELECT activity_id, count(*) FROM streams GROUP BY 1") == [(12, 6)]
    later = NOW + timedelta(days=1)
    with db.transaction() as conn:
        apply_summaries(conn, 1, [summary(1, 14, 6, 7.0)], later)
        store_detail(conn, 14, detail(14), later)
        store_streams(conn, 14, 1, streams(3), later)
        store_streams(conn, 12, 1, streams(4), later)  # fetched again: now 4 samples
    with db.engine.connect() as conn:
        again = refresh_warehouse(conn, wh)
    assert (again.full, again.stream_samples) == (False, 7)
    assert q(wh, "SELECT activity_id, count(*) FROM streams GROUP BY 1 ORDER BY 1") == [
        (12, 4),
        (14, 3),
    ]
    with db.transaction() as conn:
        tombstone(conn, [12], later)
    with db.engine.connect() as conn:
        refresh_warehouse(conn, wh)
    assert q(wh, "SELECT DISTINCT activity_id FROM streams") == [(14,)]
    assert q(wh, "SELECT DISTINCT activity_id FROM stream_totals") == [(14,)]

    import duckdb

    old = duckdb.connect(str(wh))
    old.execute("DROP VIEW stream_totals")
    old.execute("DROP VIEW stream_points")
    old.execute("DROP TABLE streams")
    old.close()
    with db.engine.connect() as conn:
        rebuilt = refresh_warehouse(conn, wh)
    assert (rebuilt.full, rebuilt.stream_samples) == (True, 3)
