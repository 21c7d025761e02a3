"""`stravasync demo` (what `make demo` runs) works from scratch and mirrors the simulated world;
its closing hints are commands that work as printed, with `stravasync` not on PATH: its
database is readable and can be served, its token key kept beside it (issue 23, trip 3)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from stravasync.store import Database
from stravasync.store.people import tokens as token_q
from stravasync.strava.crypto import load_cipher, verify_key
from tests.e2e.simproc import CLI, free_port


def test_demo_runs_and_reports_an_exact_mirror(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "120", "PYTHONPATH": ":".join(sys.path)}
    out = subprocess.run(
        [*CLI, "demo", "--athletes", "4", "--history-days", "60", "--days", "0.1",
         "--work-dir", "demo"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    m = re.search(r"(\d+)/(\d+) athletes mirrored exactly; (\d+) API calls, (\d+) rate-limit", text)
    assert m, text
    exact, total, calls, limited = map(int, m.groups())
    assert total == 4 and exact >= 3 and calls > 0 and limited == 0
    assert (tmp_path / "demo" / "demo.db").exists()
    key = tmp_path / "demo" / "secret.key"
    assert key.stat().st_mode & 0o777 == 0o600
    db = Database.open(f"sqlite:///{tmp_path / 'demo' / 'demo.db'}", upgrade=False)
    with db.engine.connect() as conn:
        sample = token_q.any_ciphertext(conn)
    db.close()
    assert sample is not None
    verify_key(load_cipher(None, key), sample)  # the kept key reads the demo's tokens

    lines = out.stdout.splitlines()
    status_cmd = lines[lines.index("Look at it:") + 1].strip()
    web_cmd = lines[lines.index(next(x for x in lines if x.startswith("Browse it"))) + 1].strip()
    assert " status" in status_cmd and "STRAVASYNC_KEY_FILE=" in status_cmd
    status = subprocess.run(
        ["/bin/sh", "-c", status_cmd],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env | {"COLUMNS": "200"},
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    assert "4 athletes" in status.stdout
    # the dashboard serves the demo database (the web role checks the key against the tokens)
    token = re.search(r"STRAVASYNC_ADMIN_TOKEN=(\S+)", web_cmd)
    assert token, web_cmd
    port = free_port()
    web = subprocess.Popen(
        ["/bin/sh", "-c", f"exec env {web_cmd} --port {port}"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        page = None
        while time.monotonic() < deadline and web.poll() is None:
            try:
                page = httpx.get(
                    f"http://127.0.0.1:{port}/admin",
                    headers={"Authorization": f"Bearer {token.group(1)}"},
                )
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert page is not None and page.status_code == 200, web.stderr and web.stderr.read()
        assert "4 connected" in page.text
    finally:
        web.terminate()
        web.wait(timeout=20)
