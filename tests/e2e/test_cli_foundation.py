"""The CLI as a subprocess: version, migrations, status, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "stravasync"]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    base.update(env)
    return subprocess.run(
        [*CLI, *args], cwd=tmp_path, env=base, capture_output=True, text=True, timeout=120
    )


def test_version_and_help(tmp_path: Path) -> None:
    out = run(["--version"], tmp_path)
    assert out.returncode == 0
    assert out.stdout.startswith("stravasync ")
    assert "status" in run(["--help"], tmp_path).stdout


def test_db_upgrade_then_status_json_on_default_sqlite(tmp_path: Path) -> None:
    up = run(["db", "upgrade"], tmp_path)
    assert up.returncode == 0, up.stderr
    assert (tmp_path / "data" / "stravasync.db").exists()
    st = run(["status", "--json"], tmp_path)
    assert st.returncode == 0, st.stderr
    assert json.loads(st.stdout) == []


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"STRAVASYNC_LOG_FORMAT": "xml"}, "STRAVASYNC_LOG_FORMAT"),
        ({"STRAVASYNC_DATABASE_URL": "oracle://x"}, "STRAVASYNC_DATABASE_URL"),
        (
            {"STRAVASYNC_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"},
            "cannot reach the database",
        ),
    ],
)
def test_bad_config_and_unreachable_db_give_one_line(
    tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    out = run(["status"], tmp_path, **env)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr + out.stdout
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert needle in lines[0]
