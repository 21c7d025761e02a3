"""`stravasync demo` (what `make demo` runs) works from scratch and mirrors the simulated world."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.simproc import CLI


def test_demo_runs_and_reports_an_exact_mirror(tmp_path: Path) -> None:
    out = subprocess.run(
        [*CLI, "demo", "--athletes", "4", "--history-days", "60", "--days", "0.1",
         "--work-dir", str(tmp_path / "demo")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "PYTHONPATH": ":".join(sys.path)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    m = re.search(r"(\d+)/(\d+) athletes mirrored exactly; (\d+) API calls, (\d+) rate-limit", text)
    assert m, text
    exact, total, calls, limited = map(int, m.groups())
    assert total == 4 and exact >= 3 and calls > 0 and limited == 0
    assert (tmp_path / "demo" / "demo.db").exists()
