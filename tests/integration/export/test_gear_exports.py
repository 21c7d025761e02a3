"""Gear in every export: a Parquet ``gear`` table, the warehouse's ``gear`` table with per-gear
rollup views, a CSV beside the activities CSV; a purge takes the gear out of each copy."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq

from stravasync.export.parquet import export_parquet
from stravasync.export.query import run_query
from stravasync.export.textformats import gear_csv_path, write_csv, write_gear_csv
from stravasync.export.warehouse import refresh_warehouse
from stravasync.store import Database
from stravasync.store.mirror import gear as gear_q
from stravasync.store.mirror.activities import apply_summaries
from stravasync.store.people.purge import purge_athlete
from tests.integration.export.seed import NOW, seed_mirror, summary

BIKE = {"id": "b7", "name": "Trek Checkpoint", "primary": True, "distance": 81000.0}
SHOES = {"id": "g7", "name": "Hoka Clifton", "primary": True, "distance": 42200.0}
OLD_BIKE = {"id": "b8", "name": "Old Steel", "brand_name": "Peugeot", "model_name": "PX10"}


def seed_gear(db: Database) -> None:
    """Athlete 1 rides b7 twice (30 + 51 km: 11 of the seed and 14), wore g7 once (a 42.2 km
    run, 12) and an old, retired bike b8 once (12 km); athlete 2 has no gear."""
    seed_mirror(db)
    later = NOW + timedelta(minutes=1)
    with db.transaction() as conn:
        apply_summaries(
            conn,
            1,
            [
                summary(1, 11, 1, 30.0, gear_id="b7"),
                summary(1, 12, 2, 42.2, sport_type="Run", workout_type=1, gear_id="g7"),
                summary(1, 14, 4, 51.0, gear_id="b7"),
                summary(1, 15, 6, 12.0, gear_id="b8"),
            ],
            later,
        )
        gear_q.store_listed(conn, 1, [BIKE], [SHOES], later)
        gear_q.store_detailed(conn, 1, "b8", OLD_BIKE, later, listed=False)


def test_parquet_has_a_gear_table_of_the_athletes_exported(db: Database, tmp_path: Path) -> None:
    seed_gear(db)
    out = tmp_path / "pq"
    with db.engine.connect() as conn:
        report = export_parquet(conn, out)
    assert report.rows["gear"] == 3
    rows = pq.read_table(out / "gear/part-0.parquet").to_pylist()
    assert [(r["athlete_id"], r["id"], r["kind"], r["name"], r["retired"]) for r in rows] == [
        (1, "b7", "bike", "Trek Checkpoint", False),
        (1, "b8", "bike", "Old Steel", True),
        (1, "g7", "shoe", "Hoka Clifton", False),
    ]
    assert rows[1]["brand"] == "Peugeot" and rows[0]["distance"] == 81000.0
    assert "raw_json" not in rows[0]
    with db.engine.connect() as conn:
        export_parquet(conn, out, athlete_id=2)
    assert pq.read_table(out / "gear/part-0.parquet").num_rows == 0  # athlete 2 has none


def test_warehouse_rollups_per_gear_and_a_purge_reaches_them(db: Database, tmp_path: Path) -> None:
    seed_gear(db)
    wh = tmp_path / "w.duckdb"
    with db.engine.connect() as conn:
        refresh_warehouse(conn, wh)
    rows = run_query(
        wh,
        "SELECT gear_id, gear_name, kind, retired, count, distance_m, moving_time_s, "
        "elapsed_time_s FROM gear_totals ORDER BY gear_id",
    ).rows
    assert rows == [
        ("b7", "Trek Checkpoint", "bike", False, 2, 81000.0, 7200, 7800),
        ("b8", "Old Steel", "bike", True, 1, 12000.0, 3600, 3900),
        ("g7", "Hoka Clifton", "shoe", False, 1, 42200.0, 3600, 3900),
    ]
    yearly = run_query(wh, "SELECT gear_id, year, count FROM gear_yearly_totals ORDER BY 1").rows
    assert yearly == [("b7", 2026, 2), ("b8", 2026, 1), ("g7", 2026, 1)]
    with db.transaction() as conn:
        purge_athlete(conn, 1)
    with db.engine.connect() as conn:
        refresh_warehouse(conn, wh)
    assert run_query(wh, "SELECT count(*) FROM gear").rows == [(0,)]
    assert run_query(wh, "SELECT count(*) FROM gear_totals").rows == [(0,)]


def test_csv_gear_beside_the_activities(db: Database, tmp_path: Path) -> None:
    seed_gear(db)
    out = tmp_path / "acts.csv"
    with db.engine.connect() as conn:
        write_csv(conn, out)
        assert write_gear_csv(conn, gear_csv_path(out)) == 3
    assert gear_csv_path(out) == tmp_path / "acts-gear.csv"
    with gear_csv_path(out).open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["id"], r["name"], r["retired"]) for r in rows] == [
        ("b7", "Trek Checkpoint", "False"),
        ("b8", "Old Steel", "True"),
        ("g7", "Hoka Clifton", "False"),
    ]
    with out.open(newline="") as fh:
        worn = {r["id"]: r["gear_id"] for r in csv.DictReader(fh)}
    assert worn["14"] == "b7" and worn["21"] == ""


def test_the_athlete_zip_holds_their_gear_and_nobody_else_s(db: Database) -> None:
    import io
    import json
    import zipfile

    from stravasync.export.athlete_zip import iter_athlete_zip

    seed_gear(db)
    with db.transaction() as conn:
        gear_q.store_listed(conn, 2, [{"id": "b99", "name": "Bob's bike"}], [], NOW)
    data = b"".join(iter_athlete_zip(db, 1, now=NOW))
    archive = zipfile.ZipFile(io.BytesIO(data))
    gear = json.loads(archive.read("gear.json"))
    assert [(g["id"], g["name"]) for g in gear] == [
        ("b7", "Trek Checkpoint"),
        ("b8", "Old Steel"),
        ("g7", "Hoka Clifton"),
    ]
    assert json.loads(archive.read("manifest.json"))["counts"]["gear"] == 3
    assert b"Bob's bike" not in b"".join(archive.read(n) for n in archive.namelist())
