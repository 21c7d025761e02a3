"""Kill -9 a sync in the middle of a 5,000-activity backfill; a restart finishes it exactly.

Real subprocesses: the simulator over HTTP, `stravasync sync` killed with SIGKILL, then run
again, 1 s before a quarter-hour reset by its clock. The mirror must hold every activity once,
the restart must not re-fetch the pages already stored (at most the one page in flight when the
process died is listed again), and what the killed run left (its lease, its `running` session,
an uncounted mirror) must be put right by the restart.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from stravasync.store import Database
from stravasync.store.pending.sessions import recent_sessions
from stravasync.store.schema import activities, sync_state
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
        with db.engine.connect() as conn:
            # (none if the kill fell between two slices of the backfill, between transactions)
            left_running = [s["id"] for s in recent_sessions(conn) if s["status"] == "running"]
        time.sleep(1.0)  # let the simulator finish (and count) the request that was in flight
        before_restart = _count(db)
        assert 1500 <= before_restart < len(truth)
        calls_before = _list_calls(sim.stats())

        sim.faults(latency=0.0)
        # The restart runs 1 s before a quarter-hour reset by its clock, where the budget's
        # guard defers every request by ~2 s: `--until-idle` must wait that out, not exit 0
        # with the backfill unfinished. On the same host the dead pid's lease is released at
        # start, so the restart resumes at once. (Its clock runs at a tenth of the wall's, so
        # that the process's own start-up cannot carry its first request past the guard: the
        # report must show the deferral.)
        resumed = run_cli(
            ["sync", "--athlete", str(HEAVY_ATHLETE), "--json"],
            {**env, **one_second_before_a_reset(speed=0.1)},
            tmp_path,
        )
        assert resumed.returncode == 0, resumed.stderr
        assert "released the leases of dead processes on this host" in resumed.stderr
        report = json.loads(resumed.stdout)
        assert report["deferred"] >= 1 and report["synced"] >= 1, report

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
            every = recent_sessions(conn)
            sessions = [s for s in every if s["status"] == "synced"]
            state = (
                conn.execute(select(sync_state).where(sync_state.c.athlete_id == HEAVY_ATHLETE))
                .mappings()
                .one()
            )
        db.close()
        # the killed run's session is closed, the counters are right
        status = {s["id"]: s["status"] for s in every}
        assert len(left_running) <= 1
        assert [status[i] for i in left_running] == ["interrupted"] * len(left_running)
        assert "running" not in status.values()
        assert state["activity_count"] == len(truth) and state["backfill_done"] is True
        assert state["lease_owner"] is None
        listed = sum(s["summary_json"]["listed"] for s in sessions)
        created = sum(s["summary_json"]["created"] for s in sessions)
        pages = sum(s["summary_json"]["pages"] for s in sessions)
        assert created == len(truth) - before_restart
        assert listed - created <= 200 + pages, (listed, created, pages)
        assert _list_calls(sim.stats()) - calls_before == pages


def one_second_before_a_reset(*, speed: float = 1.0) -> dict[str, str]:
    """Clock settings that put a process's clock 1 s before the next quarter-hour reset."""
    now = time.time()
    reset = (int(now) // 900 + 1) * 900
    origin = datetime.fromtimestamp(reset - 1, UTC)
    return {
        "STRAVASYNC_CLOCK_SPEED": repr(speed),
        "STRAVASYNC_CLOCK_ORIGIN": origin.isoformat(),
        "STRAVASYNC_CLOCK_WALL_ORIGIN": repr(now),
    }
