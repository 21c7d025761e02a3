"""A small mirror to export: two athletes, details with laps/splits/efforts and streams, one
tombstone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stravasync.store import Database
from stravasync.store.mirror import gear
from stravasync.store.mirror.activities import apply_summaries, store_detail, tombstone
from stravasync.store.mirror.streams import store_streams
from stravasync.store.people.athletes import upsert_athlete

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def summary(athlete: int, id: int, day: int, km: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": id,
        "athlete": {"id": athlete},
        "name": f'Ride {id}, "quoted"',
        "sport_type": extra.pop("sport_type", "Ride"),
        "type": "Ride",
        "start_date": f"2026-03-{day:02d}T07:00:00Z",
        "start_date_local": f"2026-03-{day:02d}T08:00:00Z",
        "timezone": "(GMT+01:00) Europe/Paris",
        "utc_offset": 3600.0,
        "distance": km * 1000,
        "moving_time": 3600,
        "elapsed_time": 3900,
        "total_elevation_gain": 120.5,
        "kudos_count": 3,
        "map": {"id": f"a{id}", "summary_polyline": "abc"},
        "brand_new_field": {"x": 1},
        **extra,
    }


def detail(id: int) -> dict[str, Any]:
    return {
        "id": id,
        "description": "legs!",
        "calories": 812.0,
        "laps": [
            {"id": id * 10 + 1, "name": "Lap 1", "distance": 5000.0, "elapsed_time": 900},
            {"id": id * 10 + 2, "name": "Lap 2", "distance": 5000.0, "elapsed_time": 950},
        ],
        "splits_metric": [{"split": 1, "distance": 1000.0, "elapsed_time": 180}],
        "splits_standard": [{"split": 1, "distance": 1609.3, "elapsed_time": 290}],
        "segment_efforts": [
            {
                "id": id * 100,
                "name": "Col",
                "segment": {"id": 555, "name": "Col du Test"},
                "elapsed_time": 600,
                "distance": 3000.0,
                "kom_rank": None,
                "pr_rank": 1,
            }
        ],
    }


def streams(n: int = 6) -> dict[str, Any]:
    """Strava's streams answer: ``n`` samples 2 s apart, heart rate on the first four only
    (a shorter stream), power climbing 100 W a sample."""
    meta = {"series_type": "distance", "original_size": n, "resolution": "high"}
    data: dict[str, list[Any]] = {
        "time": [2 * i for i in range(n)],
        "latlng": [[45.0 + i / 1000, 7.5 + i / 2000] for i in range(n)],
        "distance": [10.0 * i for i in range(n)],
        "altitude": [300.0 + i for i in range(n)],
        "velocity_smooth": [5.0] * n,
        "heartrate": [120, 150, 170, 180][:n],
        "cadence": [90] * n,
        "watts": [100 * i for i in range(n)],
        "temp": [21] * n,
        "moving": [i != 1 for i in range(n)],
        "grade_smooth": [0.5] * n,
    }
    return {key: {"data": values, **meta} for key, values in data.items()}


def seed_mirror(db: Database) -> None:
    """Athlete 1: activities 11 (on bike b7), 12 (race, detailed, 6 stream samples), 13
    (deleted); athlete 2: activity 21."""
    with db.transaction() as conn:
        upsert_athlete(conn, athlete_id=1, profile={"firstname": "Ann"}, scopes="read", now=NOW)
        upsert_athlete(conn, athlete_id=2, profile={"firstname": "Bob"}, scopes="read", now=NOW)
        apply_summaries(
            conn,
            1,
            [
                summary(1, 11, 1, 30.0, gear_id="b7"),
                summary(1, 12, 2, 42.2, sport_type="Run", workout_type=1),
                summary(1, 13, 3, 99.0),
            ],
            NOW,
        )
        apply_summaries(conn, 2, [summary(2, 21, 5, 15.0)], NOW)
        store_detail(conn, 12, detail(12), NOW)
        store_streams(conn, 12, 1, streams(), NOW)
        tombstone(conn, [13], NOW)
        bike = {"id": "b7", "name": "Trek Checkpoint", "primary": True, "distance": 81000.0}
        gear.store_listed(conn, 1, [bike], [], NOW)
