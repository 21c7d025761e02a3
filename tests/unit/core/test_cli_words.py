"""The CLI's small words: how to run stravasync again, short and relative times (issue 23)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stravasync.cli.common import relative, self_command, short_time

NOW = datetime(2026, 3, 1, 12, 0, 5, 123456, tzinfo=UTC)


def test_self_command_names_what_works_in_a_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    venv_bin = tmp_path / ".venv-demo" / "bin"
    venv_bin.mkdir(parents=True)
    script = venv_bin / "stravasync"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # make demo: the venv is not on PATH
    monkeypatch.setattr(sys, "argv", [".venv-demo/bin/stravasync", "demo"])
    monkeypatch.chdir(tmp_path)
    assert self_command() == ".venv-demo/bin/stravasync"
    monkeypatch.setenv("PATH", f"{venv_bin}:/usr/bin:/bin")  # an activated venv
    assert self_command() == "stravasync"
    monkeypatch.setattr(sys, "argv", ["/x/stravasync/__main__.py", "demo"])  # python -m
    assert self_command().endswith(" -m stravasync")


def test_short_and_relative_times() -> None:
    assert short_time(NOW) == "2026-03-01 12:00:05"
    assert relative(NOW + timedelta(hours=3, minutes=20), NOW) == "in 3h 20m"
    assert relative(NOW - timedelta(minutes=5, seconds=10), NOW) == "5m ago"
    assert relative(NOW - timedelta(days=2, hours=1), NOW) == "2d 1h ago"
    assert relative(NOW + timedelta(seconds=30), NOW) == "now"
