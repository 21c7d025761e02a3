"""A worker process for the multi-process budget test: spends a shared budget until told to stop.

Run as ``python -m tests.integration.strava.budget_worker CONFIG.json``; prints one JSON line
with what it saw. Each thread loops: reserve + GET /athlete; a denied reservation waits until
``retry_at`` (scaled clock), as a real worker would reschedule.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from stravasync.clock import ScaledClock
from stravasync.store import Database
from stravasync.strava.client import StravaClient
from stravasync.strava.errors import BudgetExhausted, RateLimited, Transient
from stravasync.strava.quota.budget import SharedBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority


def _wait_for_go(path: Path) -> dict[str, Any]:
    """Announce that start-up is over, then wait for the parent's go (the clock's wall origin and
    the tokens): however slowly this process started, the measured windows start after it."""
    path.with_suffix(".ready").touch()
    go = path.parent / "go.json"
    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go from the test within 120 s")
        time.sleep(0.01)
    loaded: dict[str, Any] = json.loads(go.read_text())
    return loaded


def main(path: str) -> None:
    cfg: dict[str, Any] = json.loads(Path(path).read_text())
    clock = ScaledClock(datetime.fromisoformat(cfg["origin"]), 0.0, cfg["speed"])
    stop_at = datetime.fromisoformat(cfg["stop_at"])
    db = Database.open(cfg["db_url"], upgrade=False)
    budget = SharedBudget(db, Limits(**cfg["limits"]), Policy(guard=cfg["guard"]))
    client = StravaClient(
        base_url=cfg["base_url"],
        client_id=cfg["client_id"],
        client_secret=cfg["client_secret"],
        budget=budget,
        clock=clock,
        timeout=5.0,
        max_retries=0,
    )
    go = _wait_for_go(Path(path))
    clock.wall_origin = go["wall_origin"]
    cfg["tokens"] = go["tokens"]
    totals = {"ok": 0, "rate_limited": 0, "deferred": 0, "transient": 0}
    lock = threading.Lock()
    errors: list[str] = []

    def run(priority: Priority, token: str) -> None:
        mine = dict.fromkeys(totals, 0)
        while clock.now() < stop_at:
            try:
                client.get_athlete(token, priority=priority)
                mine["ok"] += 1
            except (BudgetExhausted, RateLimited) as exc:
                key = "rate_limited" if isinstance(exc, RateLimited) else "deferred"
                mine[key] += 1
                wait = min(exc.retry_at, stop_at) - clock.now()
                clock.sleep(max(wait.total_seconds(), 0.0))
            except Transient:
                mine["transient"] += 1
            except Exception as exc:  # reported, so the test shows why
                errors.append(f"{type(exc).__name__}: {exc}")
                return
        with lock:
            for k, v in mine.items():
                totals[k] += v

    threads = [
        threading.Thread(target=run, args=(Priority[name], cfg["tokens"][i % len(cfg["tokens"])]))
        for i, name in enumerate(cfg["priorities"])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.close()
    print(json.dumps({**totals, "errors": errors}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
