"""Backfill: many athletes connect at once; how fast is every summary history complete?

Compared with the quota optimum: all list pages sent back to back at the read limit. The
issue's formula (pages / 15-min read budget, rounded up to windows) ignores the daily read
limit; :func:`optimum_windows` also honours it (resets at 00:00 UTC), and both are reported.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select

from bench.drivers import SCOPE, Run
from bench.harness import Scenario
from stravasync.store.schema import activities as activities_t

WINDOW = 900
PER_PAGE = 200
CHECK_EVERY = 60  # seconds of virtual time between progress checks (the figures' resolution)


def pages_needed(sizes: list[int], per_page: int = PER_PAGE) -> int:
    """List calls to walk every history once (an empty history still needs one call)."""
    return sum(max(1, math.ceil(n / per_page)) for n in sizes)


def windows_spanned(start: int, end: int) -> int:
    """Quarter hours from the one holding ``start`` to the one holding ``end``, both counted."""
    return end // WINDOW - start // WINDOW + 1


def optimum_windows(requests: int, start: int, r15: int, rday: int) -> int:
    """Quarter hours (counting the partial first one) needed to send ``requests`` reads when
    at most ``r15`` go per window and ``rday`` per UTC day."""
    left, windows, window = requests, 0, (start // WINDOW) * WINDOW
    day_used, day = 0, start // 86400
    while left > 0:
        if window // 86400 != day:
            day, day_used = window // 86400, 0
        sent = min(left, r15, rday - day_used)
        left -= sent
        day_used += sent
        windows += 1
        window += WINDOW
    return windows


class Progress:
    """Which athletes have their whole (connect-time) history, and their newest page, mirrored."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.need: dict[int, set[int]] = {}
        self.newest: dict[int, set[int]] = {}
        self.complete_at: dict[int, int] = {}
        self.newest_at: dict[int, int] = {}
        self.curve: list[list[float]] = []

    def snapshot(self, athletes: list[int]) -> list[int]:
        sizes = []
        for a in athletes:
            truth = self.run.lab.sim.truth(a, "activity:read_all")
            self.need[a] = {int(t["id"]) for t in truth}
            ordered = sorted(truth, key=lambda t: str(t.get("start_date")), reverse=True)
            self.newest[a] = {int(t["id"]) for t in ordered[:PER_PAGE]}
            sizes.append(len(truth))
        return sizes

    def check(self) -> None:
        now = self.run.now()
        todo = [a for a in self.need if a not in self.complete_at]
        mirrored: dict[int, set[int]] = {a: set() for a in todo}
        with self.run.lab.db.engine.connect() as conn:
            for i in range(0, len(todo), 500):
                stmt = select(activities_t.c.athlete_id, activities_t.c.id).where(
                    and_(
                        activities_t.c.athlete_id.in_(todo[i : i + 500]),
                        activities_t.c.deleted_at.is_(None),
                    )
                )
                for row in conn.execute(stmt):
                    mirrored[row.athlete_id].add(row.id)
        for a in todo:
            have = mirrored[a]
            missing = self.need[a] - have
            if missing and len(missing) <= 10:  # deleted on Strava since: no longer required
                alive = {int(t["id"]) for t in self.run.lab.sim.truth(a, "activity:read_all")}
                self.need[a] -= missing - alive
                self.newest[a] &= alive | have
                missing = self.need[a] - have
            if a not in self.newest_at and 0 < len(self.newest[a] - have) <= 10:
                # a newer upload since the connect pushes the oldest of the newest page onto
                # the next page: the newest page is the athlete's newest 200 as of now
                truth = self.run.lab.sim.truth(a, "activity:read_all")
                ordered = sorted(truth, key=lambda t: str(t.get("start_date")), reverse=True)
                self.newest[a] = {int(t["id"]) for t in ordered[:PER_PAGE]}
            if a not in self.newest_at and self.newest[a] <= have:
                self.newest_at[a] = now
            if not missing:
                self.complete_at[a] = now
        self.curve.append([now - self.run.t0, len(self.complete_at)])

    @property
    def done(self) -> bool:
        return len(self.complete_at) == len(self.need)


def run_backfill(scenario: Scenario, work_dir: Path, db_url: str) -> dict[str, Any]:
    wall = time.perf_counter()
    run = Run("stravasync", scenario, work_dir, db_url)
    lab, engine = run.lab, run.lab.engine
    progress = Progress(run)
    athletes = sorted(scenario.connects)
    sizes = progress.snapshot(athletes)

    def connect(athlete_id: int) -> None:
        lab.connect(athlete_id, SCOPE)
        run.active.append(athlete_id)

    next_check = run.t0 + CHECK_EVERY
    while run.now() < run.end and not progress.done:
        wake = engine.next_wakeup()
        lab.sim.advance_to(
            run.targets(wake, datetime.fromtimestamp(next_check, lab.clock.now().tzinfo))
        )
        acted = run.timeline.due(connect, lambda a: None)
        wake = engine.next_wakeup()
        if acted or (wake is not None and wake <= lab.clock.now()):
            engine.run_until_idle()
        if run.now() >= next_check:
            progress.check()
            next_check += CHECK_EVERY
    progress.check()
    limits = lab.sim.stats()["limits"]
    stats = lab.sim.stats()
    calls = run.log.rows
    lab.close()
    r15, rday = int(limits["read_15min"]), int(limits["read_daily"])
    pages = pages_needed(sizes)
    opt_issue = math.ceil(pages / r15)
    opt_daily = optimum_windows(pages, run.t0, r15, rday)
    opt_all = optimum_windows(pages + len(athletes), run.t0, r15, rday)
    # Strava documents that a short page is not proof of the end: a listing is complete only
    # after an empty page, one more read per athlete than ``pages_needed`` counts
    opt_documented = optimum_windows(pages + 2 * len(athletes), run.t0, r15, rday)
    newest_bound = math.ceil(len(athletes) / r15)
    newest_bound_exchanges = optimum_windows(2 * len(athletes), run.t0, r15, rday)
    complete_s = max(progress.complete_at.values()) - run.t0 if progress.done else None
    newest_s = (
        max(progress.newest_at.values()) - run.t0
        if len(progress.newest_at) == len(athletes)
        else None
    )
    completion_windows = (
        windows_spanned(run.t0, run.t0 + complete_s) if complete_s is not None else None
    )
    newest_windows = windows_spanned(run.t0, run.t0 + newest_s) if newest_s is not None else None
    from bench.harness import calls_by_endpoint
    from bench.summary import budget_windows

    return {
        "athletes": len(athletes),
        "activities": sum(sizes),
        "largest_history": max(sizes),
        "histories_over_5000": sum(1 for s in sizes if s >= 5000),
        "total_pages": pages,
        "read_limit_15min": r15,
        "read_limit_daily": rday,
        "optimum_windows_issue_formula": opt_issue,
        "optimum_windows_with_daily_limit": opt_daily,
        "optimum_windows_with_daily_limit_and_token_exchanges": opt_all,
        "optimum_windows_documented": opt_documented,
        "completion_vs_optimum_documented": (
            round(completion_windows / opt_documented, 3) if completion_windows else None
        ),
        "completion_s": complete_s,
        "completion_windows": completion_windows,
        "completion_vs_optimum": (
            round(completion_windows / opt_daily, 3) if completion_windows else None
        ),
        "athletes_complete": len(progress.complete_at),
        "newest_page_all_s": newest_s,
        "newest_page_all_windows": newest_windows,
        "newest_page_bound_windows": newest_bound,
        "newest_page_bound_with_token_exchanges_windows": newest_bound_exchanges,
        "api_calls": len(calls),
        "api_calls_by_endpoint": calls_by_endpoint(calls),
        "http_429": sum(1 for c in calls if c[2] == 429),
        "sim_rate_limited": stats["rate_limited"],
        "wall_seconds": round(time.perf_counter() - wall, 1),
        "series": {
            "completion_curve": progress.curve,
            "budget_windows": budget_windows(calls, run.t0, run.now() + 1),
        },
    }
