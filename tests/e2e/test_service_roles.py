"""Process roles as subprocesses: ``web`` serves without an engine, ``worker`` stops on SIGTERM,
promptly even mid-backfill, releasing its lease and keeping the checkpoint for the next process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.pending.sessions import recent_sessions
from stravasync.store.schema import activities, sync_state
from tests.e2e.simproc import SimProcess, cli_env, run_cli, simulator

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


HEAVY_ATHLETE = 10000003  # seed 6, 5000 days of history: 6,653 activities, 34 pages
PAGE_LATENCY = 0.5  # seconds per simulator answer: the whole backfill takes well over a minute


def _sync_state(db: Database, athlete_id: int) -> dict[str, Any]:
    with db.engine.connect() as conn:
        row = conn.execute(
            select(sync_state).where(sync_state.c.athlete_id == athlete_id)
        ).mappings()
        return dict(row.one())


def _stored(db: Database) -> list[int]:
    with db.engine.connect() as conn:
        return list(
            conn.execute(select(activities.c.id).where(activities.c.deleted_at.is_(None))).scalars()
        )


def _list_calls(sim: SimProcess) -> int:
    requests = sim.stats()["requests"]
    assert isinstance(requests, dict)
    return sum(requests.get("GET /api/v3/athlete/activities", {}).values())


def _start_worker(env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CLI, "worker"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=log.open("w")
    )


def _wait_for(check: Callable[[], bool], timeout: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert proc.poll() is None, "worker exited early"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_sigterm_mid_backfill_releases_the_lease_and_keeps_the_checkpoint(
    db_url: str, tmp_path: Path
) -> None:
    with simulator(
        "--athletes", "3", "--seed", "6", "--quota", "unlimited", "--history-days", "5000"
    ) as sim:
        truth = sim.truth_ids(HEAVY_ATHLETE)
        env = cli_env(
            sim, db_url, tmp_path, STRAVASYNC_SYNC_ENRICH="false", STRAVASYNC_RATE_TIER="unlimited"
        )
        auth = run_cli(["auth", "--code", sim.grant(HEAVY_ATHLETE), "--no-listen"], env, tmp_path)
        assert auth.returncode == 0, auth.stderr
        sim.faults(latency=PAGE_LATENCY)
        db = Database.open(db_url, upgrade=False)
        log = tmp_path / "worker.log"
        proc = _start_worker(env, tmp_path, log)
        try:
            # leased, and a few pages in: the backfill is running, far from done
            _wait_for(
                lambda: (
                    _sync_state(db, HEAVY_ATHLETE)["lease_owner"] is not None
                    and len(_stored(db)) >= 400
                ),
                60,
                proc,
            )
            proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            # one page in flight (PAGE_LATENCY) and its transaction, not a 20 s burst
            assert proc.wait(timeout=8) == 0, log.read_text()
            took = time.monotonic() - signalled
        finally:
            if proc.poll() is None:
                proc.kill()
        assert took < 5, took
        assert "workers stopped cleanly" in log.read_text()

        state = _sync_state(db, HEAVY_ATHLETE)
        stored = _stored(db)
        assert state["lease_owner"] is None and state["lease_expires_at"] is None
        assert not state["backfill_done"]
        assert state["checkpoint_json"]["mode"] == "backfill"
        assert state["backfill_before"] is not None
        assert 400 <= len(stored) < len(truth)
        # the pass ended as a deferral at its checkpoint, not as a failure
        with db.engine.connect() as conn:
            last = recent_sessions(conn, athlete_id=HEAVY_ATHLETE, limit=1)[0]
        assert last["status"] == "deferred"
        assert last["summary_json"]["error"].startswith("stopped at a checkpoint")

        sim.faults(latency=0.0)
        calls_before = _list_calls(sim)
        proc = _start_worker(env, tmp_path, tmp_path / "worker2.log")
        try:
            # no lease to wait out: the next process starts at once, from the checkpoint
            _wait_for(lambda: bool(_sync_state(db, HEAVY_ATHLETE)["backfill_done"]), 120, proc)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
        final = _stored(db)
        db.close()
        assert len(final) == len(set(final))
        assert set(final) == truth
        # resumed at the stored cursor: only the pages not yet stored were listed again
        remaining_pages = -(-(len(truth) - len(stored)) // 200)
        assert _list_calls(sim) - calls_before <= remaining_pages + 2
