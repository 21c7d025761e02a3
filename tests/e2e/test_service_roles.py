"""Process roles as subprocesses: ``web`` serves without an engine, ``worker`` stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

CLI = [sys.executable, "-m", "stravasync"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=f"sqlite:///{tmp_path / 'roles.db'}",
        STRAVASYNC_CLIENT_ID="1",
        STRAVASYNC_CLIENT_SECRET="role-test-secret",
        STRAVASYNC_STRAVA_BASE_URL="http://127.0.0.1:9",
        STRAVASYNC_KEY_FILE=str(tmp_path / "secret.key"),
        STRAVASYNC_ADMIN_TOKEN="roles-admin",
    )
    return env


def _follow_logs(port: int) -> None:
    headers = {"Authorization": "Bearer roles-admin"}
    url = f"http://127.0.0.1:{port}/api/admin/logs/stream"
    try:
        with httpx.stream("GET", url, headers=headers, timeout=60) as resp:
            for _ in resp.iter_lines():
                pass
    except httpx.HTTPError:
        pass


def test_web_role_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "web.log"
    proc = subprocess.Popen(
        [*CLI, "web", "--port", str(port)],
        env=_env(tmp_path),
        cwd=tmp_path,
        stderr=log.open("w"),
    )
    try:
        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
        # a dashboard's live log stream stays open; it must not hold up the stop
        stream = threading.Thread(target=_follow_logs, args=(port,), daemon=True)
        stream.start()
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    text = log.read_text()
    assert "web only" in text
    assert "engine thread" not in text


def test_worker_role_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    subprocess.run(
        [*CLI, "db", "upgrade"],
        env=_env(tmp_path),
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=60,
    )
    log = tmp_path / "worker.log"
    proc = subprocess.Popen(
        [*CLI, "worker", "--concurrency", "2"],
        env=_env(tmp_path),
        cwd=tmp_path,
        stderr=log.open("w"),
    )
    deadline = time.monotonic() + 30
    while "started 2 engine thread(s)" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=40) == 0
    text = log.read_text()
    assert "finishing current work" in text
    assert "workers stopped cleanly" in text
    assert "role-test-secret" not in text
