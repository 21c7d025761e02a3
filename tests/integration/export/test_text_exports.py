"""JSONL and CSV exports on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from stravasync.export.textformats import write_csv, write_jsonl
from stravasync.store import Database
from stravasync.store.mirror.activities import live_summaries
from tests.integration.export.seed import seed_mirror


def test_jsonl_has_every_summary_field_and_no_deleted(db: Database, tmp_path: Path) -> None:
    seed_mirror(db)
    out = tmp_path / "out" / "mirror.jsonl"
    with db.engine.connect() as conn:
        assert write_jsonl(conn, out) == 3
        stored = live_summaries(conn, 1)
    objects = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(o["athlete_id"], o["id"]) for o in objects] == [(1, 11), (1, 12), (2, 21)]
    first = objects[0]
    assert list(first)[:2] == ["athlete_id", "id"]
    assert {k: v for k, v in first.items() if k != "athlete_id"} == stored[11]
    assert first["brand_new_field"] == {"x": 1}  # unknown fields kept as last seen
    assert 13 not in {o["id"] for o in objects}
    assert list(out.parent.iterdir()) == [out]  # no temp file left


def test_jsonl_one_athlete(db: Database, tmp_path: Path) -> None:
    seed_mirror(db)
    out = tmp_path / "a2.jsonl"
    with db.engine.connect() as conn:
        assert write_jsonl(conn, out, athlete_id=2) == 1
    assert json.loads(out.read_text())["id"] == 21


def test_csv_typed_columns(db: Database, tmp_path: Path) -> None:
    seed_mirror(db)
    out = tmp_path / "mirror.csv"
    with db.engine.connect() as conn:
        assert write_csv(conn, out) == 3
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["11", "12", "21"]
    run = rows[1]
    assert run["name"] == 'Ride 12, "quoted"'
    assert run["sport_type"] == "Run"
    assert run["workout_type"] == "1"
    assert float(run["distance"]) == 42200.0
    assert run["start_date"].startswith("2026-03-02T07:00:00")
    assert run["description"] == "legs!"
    assert json.loads(run["summary_json"])["id"] == 12
    assert rows[0]["workout_type"] == ""
