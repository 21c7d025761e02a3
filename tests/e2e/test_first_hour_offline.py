"""Issue 23's "first hour" trips that need no Strava: real subprocesses on a small mirror.

- trip 6: `import-archive` for an athlete the mirror does not know exits 2 and writes nothing;
- trip 7: `stats rollups` and `stats records` show what `stats --help` promises;
- trip 8: `export` reports every format the same way, and a missing --out folder is an error
  unless --mkdir (then it says it created it);
- trip 9: `stats refresh`, `import-archive`, export runs and `app-state --probe-now` use the
  configured clock (STRAVASYNC_CLOCK_*), here an origin years away from today.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stravasync.store import Database
from stravasync.store.operator import appstate as appstate_q
from stravasync.store.pending import sessions as session_q
from stravasync.store.schema import activities, athlete_stats
from tests.integration.export.seed import seed_mirror

ORIGIN = datetime(2031, 5, 4, 10, 0, tzinfo=UTC)  # the configured clock, far from any today
ARCHIVE_CSV = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n"
    '31,"Jan 2, 2026, 8:00:00 AM",Walk,Walk,\n'
)


@pytest.fixture
def mirror(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    db = Database.open(db_url)
    seed_mirror(db)
    db.close()
    return db_url, tmp_path


def cli(mirror: tuple[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    db_url, cwd = mirror
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        COLUMNS="80",
        STRAVASYNC_DATABASE_URL=db_url,
        STRAVASYNC_CLOCK_SPEED="1",
        STRAVASYNC_CLOCK_ORIGIN=ORIGIN.isoformat(),
        STRAVASYNC_EXPORT_WAREHOUSE=str(cwd / "wh.duckdb"),
    )
    return subprocess.run(
        [sys.executable, "-m", "stravasync", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def near_origin(value: datetime | None) -> bool:
    assert value is not None
    return abs(value.replace(tzinfo=UTC) - ORIGIN) < timedelta(minutes=10)


def archive(tmp_path: Path) -> Path:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activities.csv", ARCHIVE_CSV)
    return path


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_import_archive_refuses_an_unknown_athlete(mirror: tuple[str, Path]) -> None:
    db_url, tmp_path = mirror
    out = cli(mirror, "import-archive", "12345", str(archive(tmp_path)))
    assert out.returncode == 2, out.stdout + out.stderr
    lines = [x for x in out.stderr.splitlines() if x.startswith("error:")]
    assert len(lines) == 1 and "athlete 12345 is not in the mirror" in lines[0], out.stderr
    assert "stravasync auth" in lines[0]
    db = Database.open(db_url, upgrade=False)
    with db.engine.connect() as conn:
        new = select(func.count()).select_from(activities).where(activities.c.id == 31)
        assert conn.execute(new).scalar_one() == 0
    db.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_stats_shows_rollups_and_records(mirror: tuple[str, Path]) -> None:
    assert "rollups" in cli(mirror, "stats", "--help").stdout
    yearly = cli(mirror, "stats", "rollups", "--athlete", "1", "--json")
    assert yearly.returncode == 0, yearly.stderr
    rows = json.loads(yearly.stdout)["1"]
    assert {(r["period"], r["sport"], r["count"]) for r in rows} == {
        ("2026", "Ride", 1),
        ("2026", "Run", 1),
    }
    table = cli(mirror, "stats", "rollups", "--period", "monthly")
    assert table.returncode == 0 and "2026-03" in table.stdout and "42.2" in table.stdout
    records = cli(mirror, "stats", "records", "--athlete", "1", "--json")
    assert json.loads(records.stdout)["1"]["run"]["longest"]["id"] == 12
    text = cli(mirror, "stats", "records")
    assert text.returncode == 0, text.stderr
    assert "run longest" in text.stdout and "42.2" in text.stdout
    assert "ride longest" in text.stdout and "30.0" in text.stdout
    assert "…" not in text.stdout
    eddington = cli(mirror, "stats", "eddington", "--athlete", "2")
    assert eddington.returncode == 0, eddington.stderr
    assert "…" not in eddington.stdout and "overall" in eddington.stdout.split()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_export_reports_every_format_alike(mirror: tuple[str, Path]) -> None:
    _, tmp_path = mirror
    for fmt, target in (("jsonl", "a.jsonl"), ("csv", "a.csv"), ("parquet", "pq"),
                        ("duckdb", "wh.duckdb")):  # fmt: skip
        human = cli(mirror, "export", "--format", fmt, "--out", target)
        assert human.returncode == 0, human.stderr
        assert human.stdout == ""  # stdout is left to the data (--out -)
        line = human.stderr.strip().splitlines()[-1]  # (after the scaled clock's warning)
        assert f"written to {target} ({fmt}" in line, human.stderr
        assert line.split()[0].isdigit() and "{" not in line, line
        as_json = cli(mirror, "export", "--format", fmt, "--out", target, "--json")
        report = json.loads(as_json.stdout)
        assert (report["format"], report["out"]) == (fmt, target), report
    # a missing folder: exit 2, nothing created; --mkdir creates it and says so
    missing = tmp_path / "no" / "such" / "a.jsonl"
    refused = cli(mirror, "export", "--format", "jsonl", "--out", str(missing))
    assert refused.returncode == 2 and "--mkdir creates it" in refused.stderr
    assert not (tmp_path / "no").exists()
    made = cli(mirror, "export", "--format", "jsonl", "--out", str(missing), "--mkdir")
    assert made.returncode == 0, made.stderr
    assert f"created the folder {missing.parent}" in made.stderr
    assert len(missing.read_text().splitlines()) == 3


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_commands_use_the_configured_clock(mirror: tuple[str, Path]) -> None:
    db_url, tmp_path = mirror
    assert cli(mirror, "stats", "refresh", "--force").returncode == 0
    assert cli(mirror, "export", "--format", "csv", "--out", "a.csv").returncode == 0
    imported = cli(mirror, "import-archive", "1", str(archive(tmp_path)))
    assert imported.returncode == 0, imported.stderr
    db = Database.open(db_url, upgrade=False)
    with db.transaction() as conn:
        appstate_q.enter(
            conn,
            condition="application_inactive",
            reason="test",
            next_probe_at=ORIGIN + timedelta(days=30),
            now=ORIGIN - timedelta(days=1),
        )
    assert cli(mirror, "app-state", "--probe-now").returncode == 0
    with db.engine.connect() as conn:
        computed = conn.execute(select(athlete_stats.c.computed_at)).scalars().all()
        assert computed and all(near_origin(c) for c in computed), computed
        runs = session_q.recent_runs(conn, modes=("export",), limit=5)
        assert runs and all(near_origin(r["started_at"]) for r in runs), runs
        walk = conn.execute(select(activities.c.updated_at).where(activities.c.id == 31))
        assert near_origin(walk.scalar_one())
        state = appstate_q.get(conn)
        assert state is not None and near_origin(state.next_probe_at), state
    db.close()
