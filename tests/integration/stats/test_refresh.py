"""Stats refresh and service on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from stravasync.stats.refresh import refresh_athlete_stats
from stravasync.stats.service import athlete_stats
from stravasync.store import Database
from stravasync.store.mirror.activities import apply_summaries, remove, tombstone
from stravasync.store.schema import athlete_stats as athlete_stats_table

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ATHLETE = 42


def summary(id: int, utc: str, local: str, km: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": id,
        "athlete": {"id": ATHLETE},
        "name": f"act {id}",
        "sport_type": extra.pop("sport_type", "Ride"),
        "type": "Ride",
        "start_date": utc,
        "start_date_local": local,
        "timezone": "(GMT-05:00) America/New_York",
        "utc_offset": -18000.0,
        "distance": km * 1000,
        "moving_time": 3600,
        "elapsed_time": 3700,
        "total_elevation_gain": 100.0,
        **extra,
    }


def seed(db: Database) -> None:
    with db.transaction() as conn:
        apply_summaries(
            conn,
            ATHLETE,
            [
                # 23:30 local on Jan 1 = 04:30 UTC on Jan 2: counts for Jan 1
                summary(1, "2026-01-02T04:30:00Z", "2026-01-01T23:30:00Z", 2.0),
                summary(2, "2026-01-02T14:00:00Z", "2026-01-02T09:00:00Z", 2.0),
                summary(3, "2026-01-10T14:00:00Z", "2026-01-10T09:00:00Z", 3.0, workout_type=11),
            ],
            NOW,
        )


def test_refresh_caches_and_service_reads(db: Database) -> None:
    seed(db)
    with db.transaction() as conn:
        assert refresh_athlete_stats(conn, ATHLETE, NOW) is True
        assert refresh_athlete_stats(conn, ATHLETE, NOW + timedelta(minutes=5)) is False
    with db.engine.connect() as conn:
        stats = athlete_stats(conn, ATHLETE)
        cached_at = conn.execute(select(athlete_stats_table.c.computed_at)).scalar_one()
    assert cached_at == NOW
    assert stats["computed_at"] == NOW.isoformat()
    assert stats["activity_count"] == 3
    # local days Jan 1 (2), Jan 2 (2), Jan 10 (3 km): E = 2, 2 more days needed for 3.
    # By UTC day (Jan 2: 4 km, Jan 10: 3 km) only 1 more day would be needed.
    assert stats["eddington"]["ride"]["km"] == {
        "number": 2,
        "next": 3,
        "days_needed_for_next": 2,
        "days_at_or_above_next": 1,
    }
    assert [r["id"] for r in stats["races"]] == [3]
    monthly = stats["rollups"]["monthly"]
    assert monthly == [
        {
            "period": "2026-01",
            "sport": "Ride",
            "count": 3,
            "distance_m": 7000.0,
            "moving_time_s": 10800,
            "elevation_m": 300.0,
        }
    ]


def test_changes_make_refresh_recompute(db: Database) -> None:
    seed(db)
    later = NOW + timedelta(hours=1)
    with db.transaction() as conn:
        refresh_athlete_stats(conn, ATHLETE, NOW)
        tombstone(conn, [3], later)
    with db.engine.connect() as conn:
        # service sees the cache is stale and computes fresh (without writing)
        fresh = athlete_stats(conn, ATHLETE)
        assert fresh["activity_count"] == 2
        assert fresh["computed_at"] is None
    with db.transaction() as conn:
        assert refresh_athlete_stats(conn, ATHLETE, later) is True
        assert athlete_stats(conn, ATHLETE)["races"] == []
        remove(conn, [2], now=later)
        assert refresh_athlete_stats(conn, ATHLETE, later) is True
        stats = athlete_stats(conn, ATHLETE)
    assert stats["activity_count"] == 1
    assert stats["eddington"]["overall"]["km"]["number"] == 1


def test_unknown_athlete_gets_empty_stats(db: Database) -> None:
    with db.engine.connect() as conn:
        stats = athlete_stats(conn, 999)
    assert stats["activity_count"] == 0
    assert stats["records"]["overall"] == {"longest": None, "biggest_climb": None}
