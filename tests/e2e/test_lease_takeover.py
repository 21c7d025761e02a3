"""Kill -9 a worker mid-backfill: another worker, on another host, takes over within 30 s.

Real subprocesses on SQLite and PostgreSQL: the simulator over HTTP, `stravasync sync` (A)
syncing a 6,653-activity history with slow pages, and `stravasync worker` (B) started while A
works, in its own UTS namespace so that its host name differs (it cannot tell that A's pid is
dead, as a restart on A's host would: only A's lease running out lets B in). A's lease is short
and renewed by a heartbeat while it works, so B must resume within 30 s of the kill, finish the
history exactly, and close the session A left `running` as `interrupted`.
"""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from stravasync.store import Database
from stravasync.store.schema import activities, sync_sessions, sync_state
from tests.e2e.simproc import CLI, cli_env, run_cli, simulator

HEAVY_ATHLETE = 10000003  # seed 6, 5000 days of history: 6,653 activities
# a new UTS namespace (root: CI and the dev machines run as root) with its own host name
ON_ANOTHER_HOST = ["unshare", "--uts", "sh", "-c", 'hostname worker-b && exec "$@"', "sh"]
TAKEOVER_LIMIT = 30.0  # seconds from the kill to the other worker's first page (issue 12)


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(activities)).scalar_one())


def _sessions(db: Database) -> list[dict[str, object]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(sync_sessions).where(sync_sessions.c.athlete_id == HEAVY_ATHLETE)
        ).mappings()
        return [dict(r) for r in rows]


def test_another_host_takes_over_a_killed_workers_athlete_within_30_s(
    db_url: str, tmp_path: Path
) -> None:
    with simulator(
        "--athletes", "3", "--seed", "6", "--quota", "unlimited", "--history-days", "5000"
    ) as sim:
        truth = sim.truth_ids(HEAVY_ATHLETE)
        env = cli_env(
            sim,
            db_url,
            tmp_path,
            STRAVASYNC_SYNC_ENRICH="false",
            STRAVASYNC_RATE_TIER="unlimited",
        )  # the default lease (STRAVASYNC_SYNC_LEASE_SECONDS): 20 s, was 300 s
        auth = run_cli(["auth", "--code", sim.grant(HEAVY_ATHLETE), "--no-listen"], env, tmp_path)
        assert auth.returncode == 0, auth.stderr
        sim.faults(latency=0.25)  # slow pages, so A is killed mid-backfill
        db = Database.open(db_url, upgrade=False)

        a = subprocess.Popen(
            [*CLI, "sync", "--athlete", str(HEAVY_ATHLETE)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        b: subprocess.Popen[bytes] | None = None
        try:
            deadline = time.time() + 120
            while _count(db) < 600 and time.time() < deadline and a.poll() is None:
                time.sleep(0.05)
            # B starts once A holds the athlete, and looks for work before A is killed
            b_log = tmp_path / "worker-b.log"
            b = subprocess.Popen(
                [*ON_ANOTHER_HOST, *CLI, "worker"],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=b_log.open("w"),
            )
            while "started 1 engine thread" not in b_log.read_text() and b.poll() is None:
                time.sleep(0.1)
            time.sleep(1.0)
            assert a.poll() is None, "A finished before it could be killed"
            assert b.poll() is None, b_log.read_text()
            with db.engine.connect() as conn:
                holder = conn.execute(
                    select(sync_state.c.lease_owner).where(sync_state.c.athlete_id == HEAVY_ATHLETE)
                ).scalar()
            assert holder is None or not str(holder).startswith("worker-b:"), holder
            a.send_signal(signal.SIGKILL)
            a.wait(timeout=10)
            killed_at = datetime.now(UTC)
            at_kill = _count(db)
            # (none if the kill fell between two of A's slices, between their transactions)
            left_running = [s["id"] for s in _sessions(db) if s["status"] == "running"]

            taken_over: datetime | None = None
            give_up = time.time() + TAKEOVER_LIMIT + 30
            while taken_over is None and time.time() < give_up:
                started = [
                    s["started_at"]
                    for s in _sessions(db)
                    if isinstance(s["started_at"], datetime) and s["started_at"] > killed_at
                ]
                if started and _count(db) > at_kill:
                    taken_over = min(started)
                time.sleep(0.2)
            assert taken_over is not None, b_log.read_text()[-3000:]
            delay = (taken_over - killed_at).total_seconds()
            print(f"taken over {delay:.1f} s after the kill")
            assert delay <= TAKEOVER_LIMIT, delay

            deadline = time.time() + 180
            while _count(db) < len(truth) and time.time() < deadline:
                time.sleep(0.5)
        finally:
            if b is not None:
                b.send_signal(signal.SIGTERM)
                try:
                    b.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    b.kill()
            if a.poll() is None:
                a.kill()

        with db.engine.connect() as conn:
            stored = set(
                conn.execute(
                    select(activities.c.id).where(activities.c.deleted_at.is_(None))
                ).scalars()
            )
            count = conn.execute(
                select(sync_state.c.activity_count).where(sync_state.c.athlete_id == HEAVY_ATHLETE)
            ).scalar_one()
        sessions = {s["id"]: s["status"] for s in _sessions(db)}
        db.close()
        assert stored == truth
        assert count == len(truth)
        assert len(left_running) <= 1
        assert [sessions[i] for i in left_running] == ["interrupted"] * len(left_running)
        assert "running" not in sessions.values(), sessions
