"""`stravasync --version` and `--help` start without the web app, the database or HTTP.

A subprocess runs the CLI the way `python -m stravasync` does and reports which heavy modules
it loaded (the import list is asserted, never the time it took)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stravasync.cli.athletes import SyncMode
from stravasync.sync import Mode

HEAVY = ("sqlalchemy", "fastapi", "starlette", "httpx", "duckdb", "pyarrow", "uvicorn")


def loaded(args: list[str], cwd: Path) -> tuple[int, list[str], str]:
    script = (
        "import json, runpy, sys\n"
        f"argv = {json.dumps(args)}\n"
        "sys.argv = ['stravasync', *argv]\n"
        "try:\n"
        "    runpy.run_module('stravasync', run_name='__main__')\n"
        "    code = 0\n"
        "except SystemExit as exc:\n"
        "    code = exc.code or 0\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('@@' + json.dumps([code, heavy]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
    marker = [line for line in out.stdout.splitlines() if line.startswith("@@")]
    assert marker, out.stdout + out.stderr
    code, heavy = json.loads(marker[-1][2:])
    return int(code), list(heavy), out.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["sync", "--help"],
        ["serve", "--help"],
        ["export", "--help"],
        ["webhooks", "--help"],
        ["stats", "--help"],
    ],
)
def test_version_and_help_import_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    code, heavy, stdout = loaded(args, tmp_path)
    assert code == 0, stdout
    assert heavy == [], f"{args} imported {heavy}"


def test_a_command_that_needs_the_database_still_loads_it(tmp_path: Path) -> None:
    # the probe can see a heavy import when there is one
    code, heavy, stdout = loaded(["status", "--json"], tmp_path)
    assert code == 0, stdout
    assert "sqlalchemy" in heavy, stdout


def test_the_cli_modes_are_the_engines() -> None:
    assert [m.value for m in SyncMode] == [m.value for m in Mode]
