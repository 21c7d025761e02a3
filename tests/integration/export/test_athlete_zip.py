"""The athlete's "Download my data" zip on SQLite and PostgreSQL: it opens, holds every kind
of row with the right counts, and nothing of another athlete."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import gpxpy

from stravasync.export import athlete_zip_name, iter_athlete_zip
from stravasync.store import Database
from tests.integration.export.trackseed import (
    N_STREAM,
    NOW,
    OTHER_ID,
    OTHER_NAME,
    ROUTE,
    seed_tracks,
)
from tests.track_schemas import schema_errors


def _zip(
    db: Database, athlete_id: int, chunk: int = 64 * 1024
) -> tuple[zipfile.ZipFile, list[bytes]]:
    chunks = list(iter_athlete_zip(db, athlete_id, now=NOW, chunk=chunk))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None  # every entry's CRC checks
    return archive, chunks


def test_the_zip_holds_the_athletes_data_and_only_theirs(db: Database) -> None:
    seed_tracks(db)
    archive, _ = _zip(db, 1)
    names = archive.namelist()
    assert names[:5] == [
        "README.txt",
        "athlete.json",
        "activities.jsonl",
        "activities.csv",
        "details.jsonl",
    ]
    assert names[-1] == "manifest.json"

    lines = archive.read("activities.jsonl").decode().splitlines()
    assert [json.loads(x)["id"] for x in lines] == [101, 102, 103, 104]  # 105 deleted
    assert {json.loads(x)["athlete_id"] for x in lines} == {1}
    rows = list(csv.DictReader(io.StringIO(archive.read("activities.csv").decode())))
    assert [r["id"] for r in rows] == ["101", "102", "103", "104"]
    details = [json.loads(x) for x in archive.read("details.jsonl").decode().splitlines()]
    assert [d["activity_id"] for d in details] == [101, 102]
    assert details[0]["detail"]["laps"] == [{"id": 1}]

    assert [n for n in names if n.startswith("streams/")] == ["streams/2026-03-02_101.json"]
    streams = json.loads(archive.read("streams/2026-03-02_101.json"))
    assert len(streams["streams"]["latlng"]) == N_STREAM
    gpx_names = [n for n in names if n.startswith("gpx/")]
    assert gpx_names == [
        "gpx/2026-03-02_101.gpx",
        "gpx/2026-03-03_102.gpx",
        "gpx/2026-03-04_103.gpx",
    ]
    full = gpxpy.parse(archive.read("gpx/2026-03-03_102.gpx").decode())
    points = full.tracks[0].segments[0].points
    assert [(p.latitude, p.longitude) for p in points] == [
        (round(a, 5), round(b, 5)) for a, b in ROUTE
    ]
    assert "Track source: polyline" in (full.description or "")
    for name in gpx_names:
        assert schema_errors("gpx", archive.read(name)) == [], name
    recorded = gpxpy.parse(archive.read("gpx/2026-03-02_101.gpx").decode())
    assert "Track source: streams" in (recorded.description or "")
    assert len(recorded.tracks[0].segments[0].points) == N_STREAM

    assert [n for n in names if n.startswith("originals/")] == ["originals/103.fit.gz"]
    assert archive.read("originals/103.fit.gz") == b"\x1f\x8bfake-fit"
    assert archive.getinfo("originals/103.fit.gz").compress_type == zipfile.ZIP_STORED

    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"] == {
        "activities": 4,
        "details": 2,
        "gear": 1,
        "streams": 1,
        "gpx_from_streams": 1,
        "gpx_from_polyline": 2,
        "originals": 1,
    }
    assert json.loads(archive.read("athlete.json"))["id"] == 1
    assert [g["name"] for g in json.loads(archive.read("gear.json"))] == ["Ann's gravel bike"]
    everything = b"".join(archive.read(n) for n in names)
    for marker in ("Bob", OTHER_NAME, str(OTHER_ID), "g2"):
        assert marker.encode() not in everything
        assert not any(marker in n for n in names)
    assert b"-33.9" not in everything  # athlete 2's route


def test_another_athletes_zip_and_small_chunks(db: Database) -> None:
    seed_tracks(db)
    archive, chunks = _zip(db, 2, chunk=1024)
    assert len(chunks) >= 2 and max(len(c) for c in chunks) < 64 * 1024
    lines = archive.read("activities.jsonl").decode().splitlines()
    assert [json.loads(x)["id"] for x in lines] == [OTHER_ID]
    assert archive.read(f"originals/{OTHER_ID}.gpx") == b"<gpx>bob</gpx>"
    tracks = [n for n in archive.namelist() if n.startswith(("gpx/", "streams/"))]
    assert tracks == [f"streams/2026-03-07_{OTHER_ID}.json", f"gpx/2026-03-07_{OTHER_ID}.gpx"]
    assert athlete_zip_name(2, NOW) == "stravasync-2-2026-04-01.zip"


def test_an_unknown_athlete_gets_an_empty_archive(db: Database) -> None:
    seed_tracks(db)
    archive, _ = _zip(db, 999)
    assert archive.read("activities.jsonl") == b""
    assert json.loads(archive.read("manifest.json"))["counts"] == {"gear": 0}
    assert json.loads(archive.read("gear.json")) == []
