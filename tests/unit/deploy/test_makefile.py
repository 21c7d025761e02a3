"""`make demo` installs the runtime only; `make test` keeps the dev install (issue 16).

`make -n` prints the recipes a target would run (nothing is installed), from a copy of the
Makefile in an empty directory so that no stamp file exists yet."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def dry_run(target: str, tmp_path: Path) -> list[str]:
    if shutil.which("make") is None:
        pytest.fail("make is required (the Makefile is the documented entry point)")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("")
    # --no-print-directory: run from inside `make test`, a nested make would print
    # "make[1]: Entering/Leaving directory" lines around the recipes
    out = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def installs(lines: list[str]) -> list[str]:
    return [line for line in lines if "pip install" in line and "--upgrade pip" not in line]


def test_demo_installs_the_runtime_only_in_its_own_venv(tmp_path: Path) -> None:
    lines = dry_run("demo", tmp_path)
    assert installs(lines) == [".venv-demo/bin/python -m pip install --quiet -e ."]
    assert not any("[dev]" in line or ".venv/" in line for line in lines), lines
    assert lines[-1] == ".venv-demo/bin/stravasync demo"


def test_test_keeps_the_dev_install(tmp_path: Path) -> None:
    lines = dry_run("test", tmp_path)
    assert installs(lines) == [".venv/bin/python -m pip install --quiet -e '.[dev]'"]
