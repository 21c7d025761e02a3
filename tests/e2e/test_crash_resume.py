"""Kill -9 a sync in the middle of a 5,000-activity backfill; a restart finishes it exactly.

Real subprocesses: the simulator over HTTP, `stravasync sync` killed with SIGKILL, then run
again. The mirror must hold every activity once, and the restart must not re-fetch the pages
already stored (at most the one page in flight when the process died is listed again).
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select

from stravasync.store import Database
from stravasync.store.schema import activities
from stravasync.store.sessions import recent_sessions
from tests.e2e.simproc import CLI, cli_env, run_cli, simulator

HEAVY_ATHLETE = 10000003  # seed 6, 5000 days of history: 6,653 activities


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(activities)).scalar_one())


def _list_calls(stats: dict[str, object]) -> int:
    requests = stats["requests"]
    assert isinstance(requests, dict)
    return sum(requests.get("GET /api/v3/athlete/activities", {}).values())


def test_kill_minus_nine_mid_backfill_then_resume(db_url: str, tmp_path: Path) -> None:
    with simulator(
        "--athletes", "3", "--seed", "6", "--quota", "unlimited", "--history-days", "5000"
    ) as sim:
        truth = sim.truth_ids(HEAVY_ATHLETE)
        assert len(truth) >= 5000
        env = cli_env(
            sim, db_url, tmp_path, STRAVASYNC_SYNC_ENRICH="false", STRAVASYNC_RATE_TIER="unlimited"
        )
        auth = run_cli(["auth", "--code", sim.grant(HEAVY_ATHLETE), "--no-listen"], env, tmp_path)
        assert auth.returncode == 0, auth.stderr
        sim.faults(latency=0.15)  # slow pages, so the kill lands mid-backfill

        db = Database.open(db_url, upgrade=False)
        proc = subprocess.Popen(
            [*CLI, "sync", "--athlete", str(HEAVY_ATHLETE)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.time() + 120
        while _count(db) < 1500 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "sync finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        time.sleep(1.0)  # let the simulator finish (and count) the request that was in flight
        before_restart = _count(db)
        assert 1500 <= before_restart < len(truth)
        calls_before = _list_calls(sim.stats())

        sim.faults(latency=0.0)
        # the dead process's lease must expire before another may take over
        env["STRAVASYNC_SYNC_LEASE_SECONDS"] = "300"
        resumed = run_cli(
            ["sync", "--athlete", str(HEAVY_ATHLETE), "--json"],
            {**env, "STRAVASYNC_TEST_LEASE_NOW_OFFSET": "0"},
            tmp_path,
        )
        assert resumed.returncode == 0, resumed.stderr
        # lease still held by the killed process: nothing was done yet
        assert _count(db) == before_restart

        expire_lease(db, HEAVY_ATHLETE)
        resumed = run_cli(["sync", "--athlete", str(HEAVY_ATHLETE), "--json"], env, tmp_path)
        assert resumed.returncode == 0, resumed.stderr

        with db.engine.connect() as conn:
            stored = set(
                conn.execute(
                    select(activities.c.id).where(activities.c.deleted_at.is_(None))
                ).scalars()
            )
        assert stored == truth  # nothing missing, nothing extra; the primary key forbids doubles
        # The restart resumes at the stored cursor: what it lists again is at most the page that
        # was in flight when the process died, plus the one activity at each page's oldest
        # second (ties are re-listed rather than split across pages), never the stored pages.
        with db.engine.connect() as conn:
            sessions = [s for s in recent_sessions(conn) if s["status"] == "synced"]
        db.close()
        listed = sum(s["summary_json"]["listed"] for s in sessions)
        created = sum(s["summary_json"]["created"] for s in sessions)
        pages = sum(s["summary_json"]["pages"] for s in sessions)
        assert created == len(truth) - before_restart
        assert listed - created <= 200 + pages, (listed, created, pages)
        assert _list_calls(sim.stats()) - calls_before == pages


def expire_lease(db: Database, athlete_id: int) -> None:
    """What the passage of the lease time does: the crashed owner's lease runs out."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from stravasync.store.schema import sync_state

    with db.transaction() as conn:
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == athlete_id)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
