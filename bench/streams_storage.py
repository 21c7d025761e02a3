"""Streams stored packed (``activity_streams``) against the former JSON column, for one long
activity: bytes stored and the time to read it back as Strava's arrays.

    python -m bench.streams_storage [--samples 20000] [--reads 20] [--postgres URL]

The streams are a plausible 1 Hz ride in Strava's JSON types and precision (positions with 6
decimals, distance and altitude with 1, speed with 3, whole heart rate, cadence, power and
temperature, moving as booleans). The JSON side is the old ``streams_json`` layout (Strava's
``key_by_type`` answer in a JSON column, JSONB on PostgreSQL) read through SQLAlchemy as the
store did; the packed side is ``store_streams`` / ``read_streams``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, Table, func, select, text

from stravasync.store import Database, read_streams
from stravasync.store.coltypes import JsonType
from stravasync.store.mirror.streams import store_streams
from stravasync.store.schema import activities, activity_streams
from stravasync.store.tables.streams import STREAM_KEYS

NOW = datetime(2026, 12, 7, tzinfo=UTC)
ACTIVITY, ATHLETE = 9_000_000_001, 42


def ride(n: int, seed: int = 7) -> dict[str, dict[str, Any]]:
    """Strava's ``key_by_type`` answer for an ``n``-second ride."""
    rng = random.Random(seed)
    lat, lng, dist, alt, v, hr = 45.07, 7.68, 0.0, 240.0, 7.0, 130.0
    data: dict[str, list[Any]] = {k: [] for k in STREAM_KEYS}
    for i in range(n):
        v = min(14.0, max(0.0, v + rng.gauss(0, 0.15)))
        hr = min(185.0, max(95.0, hr + rng.gauss(0, 0.8)))
        heading = math.sin(i / 400) * 2
        lat += v * math.cos(heading) / 111_000
        lng += v * math.sin(heading) / 78_000
        dist += v
        grade = 4 * math.sin(i / 700)
        alt += v * grade / 100
        data["time"].append(i)
        data["latlng"].append([round(lat, 6), round(lng, 6)])
        data["distance"].append(round(dist, 1))
        data["altitude"].append(round(alt, 1))
        data["velocity_smooth"].append(round(v, 3))
        data["heartrate"].append(int(hr))
        data["cadence"].append(int(85 + rng.gauss(0, 3)) if v > 1 else 0)
        data["watts"].append(max(0, int(180 + 12 * grade * v + rng.gauss(0, 25))))
        data["temp"].append(18 + i // 2400)
        data["moving"].append(v > 0.5)
        data["grade_smooth"].append(round(grade, 1))
    meta = {"series_type": "distance", "original_size": n, "resolution": "high"}
    return {k: {"data": values, **meta} for k, values in data.items()}


def _median_ms(fn: Callable[[], Any], reads: int) -> float:
    times = []
    for _ in range(reads):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def measure(url: str, samples: int, reads: int) -> dict[str, Any]:
    db = Database.open(url)
    legacy = Table(
        "bench_streams_json",
        MetaData(),
        Column("activity_id", BigInteger, primary_key=True),
        Column("streams_json", JsonType),
    )
    answer = ride(samples)
    arrays = {k: s["data"] for k, s in answer.items()}
    try:
        legacy.drop(db.engine, checkfirst=True)
        legacy.create(db.engine)
        with db.transaction() as conn:
            conn.execute(
                activity_streams.delete().where(activity_streams.c.activity_id == ACTIVITY)
            )
            conn.execute(activities.delete().where(activities.c.id == ACTIVITY))
            conn.execute(
                activities.insert().values(
                    id=ACTIVITY,
                    athlete_id=ATHLETE,
                    first_seen=NOW,
                    last_confirmed=NOW,
                    updated_at=NOW,
                )
            )
            conn.execute(legacy.insert().values(activity_id=ACTIVITY, streams_json=answer))
            store_streams(conn, ACTIVITY, ATHLETE, answer, NOW)
        with db.engine.connect() as conn:
            if db.engine.dialect.name == "postgresql":
                json_bytes = conn.execute(
                    text("SELECT pg_column_size(streams_json) FROM bench_streams_json")
                ).scalar()
                packed_bytes = conn.execute(
                    text(
                        "SELECT "
                        + " + ".join(f"coalesce(pg_column_size({k}), 0)" for k in STREAM_KEYS)
                        + " FROM activity_streams WHERE activity_id = :a"
                    ),
                    {"a": ACTIVITY},
                ).scalar()
            else:
                json_bytes = conn.execute(select(func.length(legacy.c.streams_json))).scalar()
                packed_bytes = conn.execute(
                    text(
                        "SELECT "
                        + " + ".join(f"coalesce(length({k}), 0)" for k in STREAM_KEYS)
                        + " FROM activity_streams WHERE activity_id = :a"
                    ),
                    {"a": ACTIVITY},
                ).scalar()

            def read_json() -> dict[str, list[Any]]:
                value = conn.execute(
                    select(legacy.c.streams_json).where(legacy.c.activity_id == ACTIVITY)
                ).scalar()
                return {k: s["data"] for k, s in value.items()}

            assert read_json() == arrays and read_streams(conn, ACTIVITY) == arrays
            json_ms = _median_ms(read_json, reads)
            packed_ms = _median_ms(lambda: read_streams(conn, ACTIVITY), reads)
        with db.transaction() as conn:
            conn.execute(
                activity_streams.delete().where(activity_streams.c.activity_id == ACTIVITY)
            )
            conn.execute(activities.delete().where(activities.c.id == ACTIVITY))
        legacy.drop(db.engine)
    finally:
        db.close()
    return {
        "backend": url.split(":", 1)[0].split("+", 1)[0],
        "samples": samples,
        "json_text_bytes": len(json.dumps(answer, separators=(",", ":"))),
        "json_stored_bytes": int(json_bytes or 0),
        "packed_stored_bytes": int(packed_bytes or 0),
        "json_read_ms": round(json_ms, 2),
        "packed_read_ms": round(packed_ms, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite:///{Path(tmp) / 'streams.db'}"]
        if args.postgres:
            urls.append(args.postgres)
        for url in urls:
            print(json.dumps(measure(url, args.samples, args.reads)))


if __name__ == "__main__":
    main()
