"""A mirror with tracks: streams on one activity, polylines on others, an indoor one, an
original file, a deleted one, and a second athlete with a track of their own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stravasync.simulator.content.geometry import encode_polyline
from stravasync.store import Database
from stravasync.store.mirror.activities import apply_summaries, store_detail, tombstone
from stravasync.store.mirror.gear import store_listed
from stravasync.store.mirror.originals import describe, put_originals
from stravasync.store.mirror.streams import store_streams
from stravasync.store.people.athletes import upsert_athlete

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
ROUTE = [(45.1 + i * 0.001, 6.2 + i * 0.0005) for i in range(30)]
SUMMARY_ROUTE = ROUTE[::6]
OTHER_ROUTE = [(-33.9 - i * 0.001, 18.4) for i in range(12)]
N_STREAM = 40
OTHER_ID = 987654321
OTHER_NAME = "Bob secret ride"


def summary(
    athlete: int, id: int, day: int, route: list[tuple[float, float]] | None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": id,
        "athlete": {"id": athlete},
        "name": extra.pop("name", f"Activity {id} <&>"),
        "sport_type": extra.pop("sport_type", "Ride"),
        "type": "Ride",
        "start_date": f"2026-03-{day:02d}T07:00:00Z",
        "start_date_local": f"2026-03-{day:02d}T08:00:00Z",
        "distance": 12000.0,
        "moving_time": 3000,
        "elapsed_time": 3300,
        "map": {"id": f"a{id}", "summary_polyline": encode_polyline(route) if route else ""},
        **extra,
    }


def streams() -> dict[str, Any]:
    """Strava's key_by_type shape: latlng, time, altitude, heart rate, cadence, power, temp."""
    n = N_STREAM
    pts = [(45.1 + i * 0.00071, 6.2 + i * 0.00033) for i in range(n)]
    series = {
        "time": [i * 5 for i in range(n)],
        "latlng": [[round(a, 6), round(b, 6)] for a, b in pts],
        "distance": [round(i * 25.5, 1) for i in range(n)],
        "altitude": [round(300 + i * 0.5, 1) for i in range(n)],
        "heartrate": [120 + i % 20 for i in range(n)],
        "cadence": [85 + i % 5 for i in range(n)],
        "watts": [200 + i for i in range(n)],
        "temp": [14 for _ in range(n)],
    }
    return {
        k: {"data": v, "series_type": "distance", "resolution": "high"} for k, v in series.items()
    }


def seed_tracks(db: Database) -> None:
    """Athlete 1: 101 (streams), 102 (full polyline in its detail), 103 (summary polyline
    only, an original FIT), 104 (indoor: no track), 105 (deleted). Athlete 2: OTHER_ID
    (streams and an original)."""
    with db.transaction() as conn:
        upsert_athlete(conn, athlete_id=1, profile={"firstname": "Ann"}, scopes="read", now=NOW)
        upsert_athlete(conn, athlete_id=2, profile={"firstname": "Bob"}, scopes="read", now=NOW)
        apply_summaries(
            conn,
            1,
            [
                summary(1, 101, 2, SUMMARY_ROUTE),
                summary(1, 102, 3, SUMMARY_ROUTE, sport_type="Run"),
                summary(1, 103, 4, SUMMARY_ROUTE),
                summary(1, 104, 5, None, sport_type="VirtualRide", trainer=True),
                summary(1, 105, 6, SUMMARY_ROUTE),
            ],
            NOW,
        )
        apply_summaries(conn, 2, [summary(2, OTHER_ID, 7, OTHER_ROUTE, name=OTHER_NAME)], NOW)
        detail_map = {"id": "a102", "polyline": encode_polyline(ROUTE), "summary_polyline": ""}
        store_detail(conn, 101, {"id": 101, "calories": 650.0, "laps": [{"id": 1}]}, NOW)
        store_streams(conn, 101, 1, streams(), NOW)
        store_detail(conn, 102, {"id": 102, "map": detail_map}, NOW)
        store_detail(conn, OTHER_ID, {"id": OTHER_ID, "laps": [{"id": 9}]}, NOW)
        store_streams(conn, OTHER_ID, 2, streams(), NOW)
        put_originals(conn, [describe(103, 1, "103.fit.gz", "fit", b"\x1f\x8bfake-fit", NOW)])
        put_originals(
            conn, [describe(OTHER_ID, 2, f"{OTHER_ID}.gpx", "gpx", b"<gpx>bob</gpx>", NOW)]
        )
        store_listed(conn, 1, [{"id": "b1", "name": "Ann's gravel bike", "distance": 1.0}], [], NOW)
        store_listed(conn, 2, [], [{"id": "g2", "name": "Bob's trail shoes", "distance": 2.0}], NOW)
        tombstone(conn, [105], NOW)
