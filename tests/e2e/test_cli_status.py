"""`stravasync status` at 80 columns and in an empty directory (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stravasync.store import Database
from stravasync.store.pending import syncstate
from stravasync.store.people import athletes as athlete_q

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
IDS = [9_223_372_036_854_775_807, 123_456_789_012_345, 7]


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    base.update(COLUMNS="80", **env)
    return subprocess.run(
        [sys.executable, "-m", "stravasync", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("mode", [[], ["--json"]])
def test_status_in_an_empty_directory_creates_nothing_and_says_so(
    tmp_path: Path, mode: list[str]
) -> None:
    out = run(["status", *mode], tmp_path)
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "data").exists()  # a read-only look created no database
    assert "no database at data/stravasync.db yet" in out.stderr
    if mode:
        assert json.loads(out.stdout) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_status_never_cuts_an_id_at_80_columns(db_url: str, tmp_path: Path) -> None:
    db = Database.open(db_url, upgrade=False)
    with db.transaction() as conn:
        for athlete_id in IDS:
            athlete_q.upsert_athlete(
                conn,
                athlete_id=athlete_id,
                profile={"firstname": "Bartholomew-Maximilian", "lastname": "Von Longname"},
                scopes="read,activity:read_all",
                now=NOW,
            )
            syncstate.record_error(conn, athlete_id, "x" * 300, NOW)
    db.close()
    out = run(["status"], tmp_path, STRAVASYNC_DATABASE_URL=db_url)
    assert out.returncode == 0, out.stderr
    assert max(len(line) for line in out.stdout.splitlines()) <= 80
    words = {w for line in out.stdout.splitlines() for w in line.split()}
    for athlete_id in IDS:
        assert str(athlete_id) in words, out.stdout
        assert f"athlete {athlete_id}: " in out.stdout  # its error, under the table
    assert "…" not in out.stdout
