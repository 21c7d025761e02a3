"""The export, query and stats commands, in process and (missing extra) as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stravasync.cli import app
from stravasync.store import Database
from tests.integration.export.seed import seed_mirror

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = Database.open(db_url, upgrade=False)
    seed_mirror(db)
    db.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STRAVASYNC_DATABASE_URL", db_url)
    monkeypatch.setenv("STRAVASYNC_EXPORT_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    return tmp_path


def test_export_formats_and_query(env: Path) -> None:
    res = runner.invoke(app, ["export", "--format", "jsonl", "--out", "a.jsonl", "--athlete", "1"])
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["id"] for x in (env / "a.jsonl").read_text().splitlines()] == [11, 12]
    res = runner.invoke(app, ["export", "--format", "csv", "--out", "a.csv"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["export", "--format", "parquet", "--out", "pq", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["activities"] == 3
    res = runner.invoke(app, ["export", "--format", "duckdb"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["query", "SELECT count(*) AS n FROM activities", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [{"n": 3}]
    res = runner.invoke(app, ["query", "SELECT * FROM nope"])
    assert res.exit_code == 2
    assert "query failed" in res.output


def test_stats_eddington(env: Path) -> None:
    res = runner.invoke(app, ["stats", "eddington", "--athlete", "1", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["1"]["run"]["km"]["number"] == 1
    res = runner.invoke(app, ["stats", "refresh"])
    assert res.exit_code == 0, res.output
    assert "2 athlete(s)" in res.stdout


def test_missing_extra_message_from_the_command(env: Path) -> None:
    """A real process in which importing pyarrow fails, as on an install without the extra."""
    code = (
        "import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None; "
        "from stravasync.cli import main; sys.argv = ['stravasync'] + sys.argv[1:]; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "export", "--format", "parquet", "--out", "pq"],
        cwd=env, env=dict(os.environ), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert 'pip install "stravasync[export]"' in proc.stderr.replace("\n", " ")
    assert "pyarrow" in proc.stderr
    assert not (env / "pq").exists()
