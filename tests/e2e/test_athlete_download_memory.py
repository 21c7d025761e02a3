"""``GET /me/download`` streams a long history in bounded memory, through real HTTP.

The service runs as its own process (uvicorn over the app, SQLite) on the history that
``tests/integration/export/test_athlete_zip_memory.py`` writes; the test signs the athlete in
(a session row), downloads another athlete's small zip first (every code path loaded), then
resets the server's peak RSS (``/proc/<pid>/clear_refs``) and streams the big zip, dropping
each chunk. The growth of the server's peak RSS must stay under :data:`MAX_PEAK`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from stravasync.store import Database
from stravasync.store.people import me as me_q
from tests.integration.export.test_athlete_zip_memory import NOW, seed_history

N = int(os.environ.get("STRAVASYNC_DOWNLOAD_ACTIVITIES", "1500"))
"""The history's size: 1,500 in ``make test`` (time), 10,000 for the figure in docs/files.md
(``STRAVASYNC_DOWNLOAD_ACTIVITIES=10000``)."""
ME, OTHER = 7, 8
MAX_PEAK = 40 * 2**20
"""Bytes of resident memory the server may add while streaming the zip (10,000 activities:
measured +9.4 MiB for a 26.8 MiB zip)."""
SERVER = """
import sys, uvicorn
from stravasync.clock import VirtualClock
from datetime import datetime
from stravasync.config import load_settings
from stravasync.store import Database
from stravasync.web.app import create_app
url, port, now = sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
db = Database.open(url, upgrade=False)
app = create_app(load_settings(database_url=url), db, clock=VirtualClock(now))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(key)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_download_streams_a_long_history_in_bounded_memory(tmp_path: Path) -> None:
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux /proc to read a process's peak memory")
    url = f"sqlite:///{tmp_path / 'big.db'}"
    db = Database.open(url)
    try:
        seed_history(db, ME, 1_000_000, N)
        seed_history(db, OTHER, 5_000_000, 300)
        with db.transaction() as conn:
            for athlete in (ME, OTHER):
                me_q.open_session(
                    conn,
                    f"s{athlete}",
                    athlete_id=athlete,
                    csrf="c",
                    now=NOW,
                    expires_at=NOW + timedelta(days=1),
                )
    finally:
        db.close()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(port), NOW.isoformat()], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        small = httpx.get(base + "/me/download", cookies={"stravasync_me": f"s{OTHER}"})
        assert small.status_code == 200 and small.content[:2] == b"PK"
        base_rss = _status(server.pid, "VmRSS")
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # the peak starts again here
        size = 0
        with httpx.stream(
            "GET", base + "/me/download", cookies={"stravasync_me": f"s{ME}"}, timeout=120
        ) as resp:
            assert resp.status_code == 200
            for chunk in resp.iter_bytes():
                size += len(chunk)
        grown = _status(server.pid, "VmHWM") - base_rss
    finally:
        server.terminate()
        server.wait(timeout=20)
    mib = 2**20
    print(
        f"/me/download of {N} activities: {size / mib:.1f} MiB zip, server +{grown / mib:.1f} MiB"
    )
    assert size > N * 2000  # every activity is in it (about 2.7 KB each)
    assert grown < MAX_PEAK, f"the server grew {grown / mib:.1f} MiB streaming the zip"
