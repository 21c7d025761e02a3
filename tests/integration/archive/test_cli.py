"""``stravasync import-archive`` exit codes and messages."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stravasync.cli import app
from stravasync.store import Database
from stravasync.store.people.athletes import upsert_athlete

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STRAVASYNC_DATABASE_URL", db_url)
    db = Database.open(db_url)  # import-archive refuses an athlete the mirror does not know
    with db.transaction() as conn:
        upsert_athlete(conn, athlete_id=5, profile={}, scopes="read", now=datetime.now(UTC))
    db.close()
    return tmp_path


def test_not_a_zip_is_one_clear_line(env: Path) -> None:
    (env / "x.zip").write_text("nope")
    res = runner.invoke(app, ["import-archive", "5", "x.zip"])
    assert res.exit_code == 2
    assert "x.zip: not a zip file" in res.output


@pytest.mark.parametrize("as_json", [True, False])
def test_report_and_exit_code(env: Path, as_json: bool) -> None:
    with zipfile.ZipFile(env / "e.zip", "w") as zf:
        zf.writestr(
            "activities.csv",
            "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n"
            '1,"Jan 2, 2026, 8:00:00 AM",Walk,Walk,\n'
            '2,"Jan 3, 2026, 8:00:00 AM",Ride,Ride,activities/2.fit\n',
        )
        zf.writestr("activities/2.fit", b"\x0e\x10garbage")
    res = runner.invoke(app, ["import-archive", "5", "e.zip", *(["--json"] if as_json else [])])
    assert res.exit_code == 1  # some rows failed: the same exit code in both output modes
    if not as_json:
        assert "1 imported" in res.stdout and "1 error(s)" in res.stdout
        assert res.stdout.startswith("English export, 2 row(s)")
        assert "0 original file(s) kept" in res.stdout
        return
    report = json.loads(res.stdout)
    assert (report["imported"], report["errors"]) == (1, 1)
    assert (report["language"], report["warnings"], report["originals"]) == ("English", 0, 0)
    assert report["problems"][0]["where"] == "activities/2.fit"
