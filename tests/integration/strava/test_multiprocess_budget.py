"""Done-when: several processes share one budget against the simulator with a tiny quota.

The simulator runs on a real port with a ScaledClock (speed 300: a 15-minute window lasts 3 s);
worker processes, each with two threads of paced, cushioned classes, ask for far more than the
quota. Strava's side (the simulator's own usage headers) must show zero 429s and at least 95%
of every complete window's allowance used.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from stravasync.clock import ScaledClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.strava.quota.budget import SharedBudget
from stravasync.strava.quota.ratelimit import Limits
from stravasync.strava.quota.windows import Window
from tests.integration.strava.multiproc import Recorder, Server, run_workers

SPEED = 300.0
QUOTA = 20
ORIGIN = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # the first measured window starts here
WINDOWS = 3
PRIORITIES = [["BACKFILL", "ENRICH"], ["INCREMENTAL", "RECONCILE"]]
# The budget's guard keeps requests away from a reset by this much of Strava's (virtual) time:
# 50 ms of wall-clock latency and scheduling between reservation and arrival, at SPEED.
GUARD = 0.05 * SPEED
LIMITS = {"overall_15min": QUOTA, "overall_daily": 5000, "read_15min": QUOTA, "read_daily": 5000}


def run(db_url: str, processes: int, tmp_path: Path) -> None:
    Database.open(db_url).close()  # migrated to head
    # the world starts before ORIGIN; the origin is set again once every worker has started
    # (nothing reads the clock in between, so it only moves forward)
    clock = ScaledClock(ORIGIN, time.time() + 1.0 + processes, SPEED)
    sim = Simulator(
        SimConfig(seed=5, athletes=2, history_days=10, quota=f"{QUOTA},5000,{QUOTA},5000"),
        clock=clock,
    )
    recorder = Recorder(sim.app, clock)
    stop_at = ORIGIN + timedelta(minutes=15 * WINDOWS)
    with Server(recorder) as base_url:

        def go() -> dict[str, Any]:
            """Every worker is up: ORIGIN is one wall second away; one token for them all."""
            clock.wall_origin = time.time() + 1.0
            with httpx.Client(base_url=base_url) as http:
                token = http.post(
                    "/oauth/token",
                    data={
                        "client_id": sim.client_id,
                        "client_secret": sim.client_secret,
                        "code": sim.grant(sim.athlete_ids()[0]),
                        "grant_type": "authorization_code",
                    },
                ).json()["access_token"]
            return {"wall_origin": clock.wall_origin, "tokens": [token]}

        config: dict[str, Any] = {
            "db_url": db_url,
            "base_url": base_url,
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "origin": ORIGIN.isoformat(),
            "speed": SPEED,
            "stop_at": stop_at.isoformat(),
            "limits": LIMITS,
            "guard": GUARD,
        }
        results = run_workers(
            [{**config, "priorities": PRIORITIES[i % 2]} for i in range(processes)],
            tmp_path,
            timeout=60,
            go=go,
        )
    assert [r["errors"] for r in results] == [[]] * processes
    assert sum(r["rate_limited"] for r in results) == 0
    assert all(r["ok"] > 0 for r in results), results  # every process got its share
    assert recorder.rejected == {}, recorder.rejected  # zero 429s on the simulator's side
    measured = [ORIGIN + timedelta(minutes=15 * i) for i in range(WINDOWS)]
    used = [recorder.usage.get(start, 0) for start in measured]
    early = [recorder.first_half.get(start, 0) for start in measured]
    print(f"{processes} processes: per-window {used}, first halves {early}; workers {results}")
    assert all(QUOTA * 0.95 <= u <= QUOTA for u in used), used
    # paced: by mid-window at most burst (10%) + half the window's share went out
    assert all(e <= QUOTA * 0.1 + QUOTA * 0.5 + 1 for e in early), early
    db = Database.open(db_url, upgrade=False)
    history = SharedBudget(db, Limits(**LIMITS)).history(since=ORIGIN)
    ours = [c.used for c in history if c.name == "read:15min" and c.window_start in measured]
    db.close()
    assert ours[: WINDOWS - 1] == used[: WINDOWS - 1]  # our count agrees with Strava's
    assert Window.QUARTER.seconds / SPEED == 3.0


def test_two_processes_share_one_sqlite_budget(tmp_path: Path) -> None:
    run(f"sqlite:///{tmp_path / 'budget.db'}", 2, tmp_path)


def test_four_processes_share_one_postgres_budget(pg_url: str, tmp_path: Path) -> None:
    run(pg_url, 4, tmp_path)
