"""Partitioned Parquet export: tables, partitions, no secrets, atomic files, pruning."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from stravasync.export.parquet import export_parquet
from stravasync.store import Database
from stravasync.store.mirror.activities import purge_athlete
from tests.integration.export.seed import seed_mirror


def test_parquet_tables_and_partitions(db: Database, tmp_path: Path) -> None:
    seed_mirror(db)
    out = tmp_path / "pq"
    with db.engine.connect() as conn:
        report = export_parquet(conn, out)
    assert report.rows == {
        "activities": 3,
        "laps": 2,
        "splits": 2,
        "segment_efforts": 1,
        "streams": 6,
        "athletes": 2,
        "gear": 1,
    }
    assert (out / "activities/athlete=1/part-0.parquet").exists()
    acts = ds.dataset(out / "activities", partitioning="hive").to_table().to_pylist()
    assert sorted(a["id"] for a in acts) == [11, 12, 21]
    run = next(a for a in acts if a["id"] == 12)
    assert run["calories"] == 812.0
    assert run["start_date"].isoformat() == "2026-03-02T07:00:00+00:00"
    laps = pq.read_table(out / "laps/athlete=1/part-0.parquet").to_pylist()
    assert [(lap["activity_id"], lap["lap_index"], lap["name"]) for lap in laps] == [
        (12, 0, "Lap 1"),
        (12, 1, "Lap 2"),
    ]
    splits = pq.read_table(out / "splits/athlete=1/part-0.parquet").to_pylist()
    assert sorted(s["units"] for s in splits) == ["metric", "standard"]
    efforts = pq.read_table(out / "segment_efforts/athlete=1/part-0.parquet").to_pylist()
    assert efforts[0]["segment_name"] == "Col du Test"
    samples = pq.read_table(out / "streams/athlete=1/part-0.parquet").to_pylist()
    assert [(r["activity_id"], r["sample"], r["time_s"]) for r in samples] == [
        (12, i, 2 * i) for i in range(6)
    ]
    assert samples[2] == {
        "activity_id": 12, "athlete_id": 1, "sample": 2, "time_s": 4, "lat": 45.002,
        "lng": 7.501, "distance": 20.0, "altitude": 302.0, "velocity": 5.0, "heartrate": 170,
        "cadence": 90, "watts": 200, "temp": 21, "moving": True, "grade": 0.5,
    }  # fmt: skip
    assert [r["heartrate"] for r in samples[3:]] == [180, None, None]  # a shorter stream
    assert pq.read_table(out / "streams/athlete=2/part-0.parquet").num_rows == 0
    athletes = pq.read_table(out / "athletes/part-0.parquet")
    assert athletes.column_names == [
        "id", "username", "firstname", "lastname", "status", "timezone", "connected_at",
        "deauthorized_at",
    ]  # fmt: skip
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["rows"] == report.rows
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]


def test_reexport_prunes_purged_athlete_and_stale_temps(db: Database, tmp_path: Path) -> None:
    seed_mirror(db)
    out = tmp_path / "pq"
    with db.engine.connect() as conn:
        export_parquet(conn, out)
    crashed = out / "activities/athlete=1/.part-0.parquet.tmp-dead"
    crashed.write_bytes(b"PAR1 half a file")
    with db.transaction() as conn:
        purge_athlete(conn, 2)
    with db.engine.connect() as conn:
        export_parquet(conn, out)
    assert not (out / "activities/athlete=2").exists()
    assert not crashed.exists()
    assert pq.read_table(out / "activities/athlete=1/part-0.parquet").num_rows == 2
    assert pq.read_table(out / "streams/athlete=1/part-0.parquet").num_rows == 6
    with db.transaction() as conn:
        purge_athlete(conn, 1)
    with db.engine.connect() as conn:
        export_parquet(conn, out)
    assert not (out / "streams/athlete=1").exists()


def test_a_failing_write_leaves_no_file(db: Database, tmp_path: Path) -> None:
    """A crash mid-file leaves neither a final nor a temp file (atomic rename)."""
    seed_mirror(db)
    out = tmp_path / "pq"

    class Boom(Exception):
        pass

    def rows() -> object:
        yield {"id": 1}
        raise Boom

    import pyarrow as pa

    from stravasync.export.parquet import _TableWriter
    from stravasync.export.tables import ACTIVITIES

    writer = _TableWriter(pa, pq, ACTIVITIES, batch_rows=1)
    with pytest.raises(Boom):
        writer.write(out / "t/part-0.parquet", rows())  # type: ignore[arg-type]
    assert list((out / "t").iterdir()) == []


def test_one_athlete_export_leaves_other_partitions(db: Database, tmp_path: Path) -> None:
    seed_mirror(db)
    out = tmp_path / "pq"
    with db.engine.connect() as conn:
        export_parquet(conn, out)
        report = export_parquet(conn, out, athlete_id=2)
    assert report.rows["activities"] == 1
    assert (out / "activities/athlete=1/part-0.parquet").exists()
    assert pq.read_table(out / "athletes/part-0.parquet").column("id").to_pylist() == [2]
