"""A worker whose clock runs an hour fast steals nothing, and traffic resumes after it (issue 25).

Real subprocesses on PostgreSQL, the simulator over HTTP. Worker A (an agreeing clock) backfills
a 6,653-activity history with slow pages; worker B starts with its clock one hour ahead
(``STRAVASYNC_CLOCK_SPEED=1`` and an origin one hour on: a machine whose time is wrong). Today's
B saw A's lease as expired, took the athlete and A's session ended ``lost``; B must now refuse to
claim (it says why in its log) while A finishes alone. Then the rate windows such a process
wrote in the future (full, an hour on) are put back, an incremental is asked for, and a fresh
worker C must send it at once, not an hour later.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from stravasync.store import Database
from stravasync.store.schema import activities, rate_budget, sync_sessions, sync_state
from tests.e2e.simproc import CLI, cli_env, run_cli, simulator

HEAVY_ATHLETE = 10000003  # seed 6, 5000 days of history: 6,653 activities
RESUME_LIMIT = 20.0  # seconds from C's start to its first request (today: over an hour)


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(activities)).scalar_one())


def _sessions(db: Database) -> list[dict[str, object]]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(sync_sessions).order_by(sync_sessions.c.started_at))
        return [dict(r) for r in rows.mappings()]


def _holder(db: Database) -> str | None:
    with db.engine.connect() as conn:
        owner = conn.execute(
            select(sync_state.c.lease_owner).where(sync_state.c.athlete_id == HEAVY_ATHLETE)
        ).scalar()
    return None if owner is None else str(owner)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for(text: str, log: Path, proc: subprocess.Popen[bytes], limit: float = 60) -> None:
    deadline = time.time() + limit
    while text not in log.read_text() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    assert text in log.read_text(), log.read_text()[-3000:]


@pytest.mark.slow
def test_a_worker_an_hour_fast_steals_nothing_and_traffic_resumes_after_it(
    pg_url: str, tmp_path: Path
) -> None:
    with simulator(
        "--athletes", "3", "--seed", "6", "--quota", "unlimited", "--history-days", "5000"
    ) as sim:
        truth = sim.truth_ids(HEAVY_ATHLETE)
        env = cli_env(
            sim, pg_url, tmp_path, STRAVASYNC_SYNC_ENRICH="false", STRAVASYNC_RATE_TIER="unlimited"
        )
        auth = run_cli(["auth", "--code", sim.grant(HEAVY_ATHLETE), "--no-listen"], env, tmp_path)
        assert auth.returncode == 0, auth.stderr
        sim.faults(latency=0.25)  # slow pages: A holds the athlete while B looks
        db = Database.open(pg_url, upgrade=False)
        fast = {
            "STRAVASYNC_CLOCK_SPEED": "1",
            "STRAVASYNC_CLOCK_ORIGIN": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            "STRAVASYNC_CLOCK_WALL_ORIGIN": repr(time.time()),
        }
        a_log, b_log, c_log = (tmp_path / f"worker-{n}.log" for n in "abc")
        a = subprocess.Popen(
            [*CLI, "worker"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=a_log.open("w"),
        )
        procs = [a]
        try:
            deadline = time.time() + 120
            while _count(db) < 400 and time.time() < deadline and a.poll() is None:
                time.sleep(0.05)
            a_owner = _holder(db)
            assert a_owner is not None and f":{a.pid}:" in a_owner, a_log.read_text()[-3000:]
            b = subprocess.Popen(
                [*CLI, "worker"],
                env={**env, **fast},
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=b_log.open("w"),
            )
            procs.append(b)
            _wait_for("ahead of the database's", b_log, b)
            # B looks for work for a while: it never holds the athlete, A keeps it
            holders: set[str | None] = set()
            watch_until = time.time() + 8
            while time.time() < watch_until and _count(db) < len(truth):
                holders.add(_holder(db))
                time.sleep(0.05)
            assert not any(h and f":{b.pid}:" in h for h in holders), holders
            assert b.poll() is None, b_log.read_text()[-3000:]
            _stop(b)
            deadline = time.time() + 180
            while _count(db) < len(truth) and time.time() < deadline:
                time.sleep(0.5)
            assert _count(db) == len(truth)
            statuses = [s["status"] for s in _sessions(db)]
            assert "lost" not in statuses and "interrupted" not in statuses, statuses
            _stop(a)

            # what a fast process wrote before this fix: both 15-minute windows full, an hour on
            with db.transaction() as conn:
                start = conn.execute(
                    select(func.max(rate_budget.c.window_start)).where(
                        rate_budget.c.window == "15min"
                    )
                ).scalar_one()
                conn.execute(
                    update(rate_budget)
                    .where(rate_budget.c.window == "15min")
                    .values(window_start=start + timedelta(hours=1), used=10_000)
                )
            asked = run_cli(["athletes", "sync-all", "--mode", "incremental"], env, tmp_path)
            assert asked.returncode == 0, asked.stderr
            before = len(_sessions(db))
            c_env = {**env, "STRAVASYNC_RATE_TIER": "default"}
            started = time.time()
            c = subprocess.Popen(
                [*CLI, "worker"],
                env=c_env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=c_log.open("w"),
            )
            procs.append(c)
            resumed: float | None = None
            while resumed is None and time.time() < started + RESUME_LIMIT + 20:
                done = [s for s in _sessions(db)[before:] if s["status"] == "synced"]
                if done:
                    resumed = time.time() - started
                time.sleep(0.2)
            print(f"traffic resumed {resumed} s after the replacement worker started")
            assert resumed is not None and resumed <= RESUME_LIMIT, c_log.read_text()[-3000:]
            assert "written by a clock ahead of ours" in c_log.read_text()
        finally:
            for proc in procs:
                _stop(proc)
            db.close()


def test_a_one_shot_sync_on_a_host_an_hour_fast_exits_before_claiming(
    pg_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=pg_url,
        STRAVASYNC_KEY_FILE=str(tmp_path / "secret.key"),
        STRAVASYNC_CLIENT_ID="1",
        STRAVASYNC_CLIENT_SECRET="not-used",  # nothing is due: nothing is sent
        STRAVASYNC_CLOCK_SPEED="1",
        STRAVASYNC_CLOCK_ORIGIN=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        STRAVASYNC_CLOCK_WALL_ORIGIN=repr(time.time()),
    )
    out = run_cli(["sync", "--until-idle"], env, tmp_path, timeout=120)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "ahead of the database's" in out.stderr
    env.pop("STRAVASYNC_CLOCK_SPEED")  # the same host with its clock right: runs (nothing due)
    right = run_cli(["sync", "--until-idle"], env, tmp_path, timeout=120)
    assert right.returncode == 0, right.stderr
