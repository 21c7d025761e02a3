"""The "Download my data" zip of a 10,000-activity history streams in bounded memory.

The rows are written straight into a SQLite store (fast), for the athlete and for a second
athlete beside them: every activity with a summary (and its route line) and a detail, one in
25 with recorded streams, one in 50 with an original file. A subprocess streams the archive
(each chunk dropped as it comes) and then loads the same rows at once, and reports the growth
of its resident memory (peak RSS, VmHWM, reset between the two) for each: the streaming must
stay under a fixed bound and far below the loading.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from stravasync.export import iter_athlete_zip
from stravasync.simulator.content.geometry import encode_polyline
from stravasync.store import Database
from stravasync.store.mirror.streams import packed_row
from stravasync.store.people.athletes import upsert_athlete
from stravasync.store.schema import (
    activities,
    activity_details,
    activity_originals,
    activity_streams,
)

NOW = datetime(2026, 4, 1, tzinfo=UTC)
N = 10_000
ME, OTHER = 7, 8
STREAM_EVERY, ORIGINAL_EVERY, STREAM_POINTS = 25, 50, 600
MAX_PEAK = 32 * 2**20  # bytes of resident memory the streaming may add (measured: 9.2 MiB)


def _summary(athlete: int, id: int, start: datetime, rng: random.Random) -> dict[str, Any]:
    lat, lon = 45 + rng.random(), 6 + rng.random()
    route = [(lat + i * 0.002, lon + (i % 5) * 0.001) for i in range(40)]
    doc: dict[str, Any] = {
        "id": id,
        "athlete": {"id": athlete, "resource_state": 1},
        "name": f"Morning ride {id}",
        "sport_type": "Ride",
        "type": "Ride",
        "start_date": start.isoformat().replace("+00:00", "Z"),
        "distance": 30000.0 + rng.random() * 1000,
        "moving_time": 3600,
        "elapsed_time": 3800,
        "map": {"id": f"a{id}", "summary_polyline": encode_polyline(route), "resource_state": 2},
    }
    doc.update({f"field_{k}": rng.random() for k in range(30)})  # Strava sends ~50 fields
    return doc


def _row(athlete: int, id: int, start: datetime, summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": id,
        "athlete_id": athlete,
        "name": summary["name"],
        "sport_type": "Ride",
        "type": "Ride",
        "start_date": start,
        "distance": summary["distance"],
        "moving_time": 3600,
        "elapsed_time": 3800,
        "summary_json": summary,
        "first_seen": NOW,
        "last_confirmed": NOW,
        "updated_at": NOW,
        "detail_fetched_at": NOW,
    }


def _streams(rng: random.Random) -> dict[str, Any]:
    n = STREAM_POINTS
    lat, lon = 45 + rng.random(), 6 + rng.random()
    data = {
        "time": list(range(0, 3 * n, 3)),
        "latlng": [[round(lat + i * 1e-4, 6), round(lon + i * 5e-5, 6)] for i in range(n)],
        "altitude": [round(300 + i * 0.1, 1) for i in range(n)],
        "heartrate": [130 + i % 30 for i in range(n)],
    }
    return {k: {"data": v} for k, v in data.items()}


def seed_history(db: Database, athlete: int, first_id: int, n: int) -> None:
    rng = random.Random(athlete)
    with db.transaction() as conn:
        upsert_athlete(conn, athlete_id=athlete, profile={"firstname": "A"}, scopes="read", now=NOW)
        for page in range(0, n, 1000):
            acts, details, originals, streams = [], [], [], []
            for i in range(page, min(n, page + 1000)):
                id = first_id + i
                start = NOW - timedelta(days=n - i)
                summary = _summary(athlete, id, start, rng)
                acts.append(_row(athlete, id, start, summary))
                detail = {
                    **summary,
                    "laps": [{"id": id * 10 + k, "distance": 1000.0} for k in range(5)],
                    "segment_efforts": [
                        {"id": id * 100 + k, "elapsed_time": 300} for k in range(8)
                    ],
                }
                if i % STREAM_EVERY == 0:
                    streams.append(packed_row(id, athlete, _streams(rng), NOW)[0])
                details.append(
                    {
                        "activity_id": id,
                        "detail_json": detail,
                        "laps_json": detail["laps"],
                        "segment_efforts_json": detail["segment_efforts"],
                        "fetched_at": NOW,
                    }
                )
                if i % ORIGINAL_EVERY == 0:
                    data = rng.randbytes(20_000)
                    originals.append(
                        {
                            "activity_id": id,
                            "athlete_id": athlete,
                            "name": f"{id}.fit",
                            "media_type": "application/vnd.ant.fit",
                            "compression": None,
                            "size": len(data),
                            "sha256": "0" * 64,
                            "data": data,
                            "stored_at": NOW,
                        }
                    )
            conn.execute(insert(activities), acts)
            conn.execute(insert(activity_details), details)
            if originals:
                conn.execute(insert(activity_originals), originals)
            if streams:
                conn.execute(insert(activity_streams), streams)


PROBE = """
import gc, json, re, sys
from datetime import datetime
from stravasync.export import iter_athlete_zip
from stravasync.store import Database
from stravasync.store.mirror.exports import iter_activities, iter_detail_docs
from stravasync.store.mirror.originals import iter_data, list_originals
from stravasync.store import read_streams

def status(key):
    return int(re.search(key + r":\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) * 1024

def measure(work):
    gc.collect()
    base = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:  # the peak (VmHWM) starts again from now
        fh.write("5")
    result = work()
    return status("VmHWM") - base, result

url, me, other = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
now = datetime.fromisoformat(sys.argv[4])
db = Database.open(url, upgrade=False)
for _ in iter_athlete_zip(db, other, now=now):  # warm up: every code path loaded once
    pass

def stream():
    return sum(len(chunk) for chunk in iter_athlete_zip(db, me, now=now))

def load_all():
    with db.engine.connect() as conn:
        acts = list(iter_activities(conn, athlete_id=me))
        details = list(iter_detail_docs(conn, athlete_id=me))
        streams = [read_streams(conn, a["id"]) for a in acts]
        files = list(iter_data(conn, list_originals(conn, me)))
        return len(acts) + len(details) + len(streams) + len(files)

streamed, size = measure(stream)
loaded, rows = measure(load_all)
print(json.dumps({"streamed": streamed, "zip_bytes": size, "loaded": loaded, "rows": rows}))
"""


@pytest.mark.slow
def test_a_10000_activity_history_streams_in_bounded_memory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    db = Database.open(url)
    try:
        seed_history(db, ME, 1_000_000, N)
        seed_history(db, OTHER, 5_000_000, 300)
    finally:
        db.close()
    out = subprocess.run(
        [sys.executable, "-c", PROBE, url, str(ME), str(OTHER), NOW.isoformat()],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    mib = 2**20
    print(
        f"\n{N:,} activities: zip {got['zip_bytes'] / mib:.1f} MiB streamed with a peak RSS "
        f"growth of {got['streamed'] / mib:.1f} MiB; loading the same rows at once grew it "
        f"{got['loaded'] / mib:.1f} MiB"
    )
    assert got["rows"] == 2 * N + N + N // ORIGINAL_EVERY
    assert got["zip_bytes"] > 10 * mib
    assert got["streamed"] < MAX_PEAK
    assert got["streamed"] * 4 < got["loaded"]


def test_the_streamed_history_zip_is_complete(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'mid.db'}")
    try:
        seed_history(db, ME, 1_000_000, 500)
        seed_history(db, OTHER, 5_000_000, 120)
        data = b"".join(iter_athlete_zip(db, ME, now=NOW))
    finally:
        db.close()
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert len(archive.read("activities.jsonl").splitlines()) == 500
    assert len(archive.read("details.jsonl").splitlines()) == 500
    assert len([n for n in names if n.startswith("gpx/")]) == 500
    assert len([n for n in names if n.startswith("streams/")]) == 500 // STREAM_EVERY
    assert len([n for n in names if n.startswith("originals/")]) == 500 // ORIGINAL_EVERY
    assert not any("_5000" in n or "/5000" in n for n in names)
