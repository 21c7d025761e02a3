"""Backfill: many athletes connect at once; how fast is every summary history complete?

Compared with the quota optimum: every list page and token exchange sent back to back at the
read limit, honouring the daily limit too (:func:`optimum_windows`, resets at 00:00 UTC). The
old optimum (every listing paged to an empty page) and the new one (a short page ends a
listing under activity:read_all) are both reported; see :func:`optimum_figures`.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select

from bench import classes, quota_cost
from bench.drivers import SCOPE, Run
from bench.harness import Scenario
from stravasync.store.schema import activities as activities_t
from stravasync.strava.setup import limits_from_settings

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


COMPLETION_TARGET = 1.15  # x the optimum (issue 14)
NEWEST_TARGET = 7  # quarter hours until every athlete has their newest page (issue 14)


def reads_to_end(sizes: list[int], per_page: int = PER_PAGE) -> int:
    """List calls when a short page ends a history (activity:read_all): a full last page
    still needs the (empty) page after it."""
    return sum(n // per_page + 1 for n in sizes)


def optimum_figures(
    sizes: list[int], *, start: int, r15: int, rday: int, token_requests_counted: bool
) -> dict[str, int]:
    """The optimum completion in quarter hours, by the old and the new formula.

    Old (stop 9): every listing paged to its empty page, so pages + one empty page per athlete
    + the token exchanges. New (issue 14): pages + token exchanges, the empty page dropped
    because a short page ends a listing when read_all is granted. Token exchanges count only
    when Strava counts ``POST /oauth/token``. Both honour the daily limit (``optimum_windows``);
    ``optimum_windows_issue_formula`` is the issue's ``ceil((pages + exchanges) / r15)``.
    """
    athletes = len(sizes)
    pages = pages_needed(sizes)
    exchanges = athletes if token_requests_counted else 0
    return {
        "total_pages": pages,
        "reads_with_short_page_end": reads_to_end(sizes),
        "token_exchanges_counted": exchanges,
        "read_limit_15min": r15,
        "read_limit_daily": rday,
        "optimum_windows_issue_formula": math.ceil((pages + exchanges) / r15),
        "optimum_windows": optimum_windows(pages + exchanges, start, r15, rday),
        "optimum_windows_old": optimum_windows(pages + athletes + exchanges, start, r15, rday),
        # every newest page right after every token exchange, at the 15-min limit
        "newest_page_bound_windows": optimum_windows(athletes + exchanges, start, r15, rday),
    }


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
    spent = classes.install(lab)
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
    stats = lab.sim.stats()
    calls = run.log.rows
    read_daily = limits_from_settings(lab.settings).read_daily
    lab.close()
    counted = scenario.sim.count_token_requests
    figures = optimum_figures(
        sizes,
        start=run.t0,
        r15=int(stats["limits"]["read_15min"]),
        rday=int(stats["limits"]["read_daily"]),
        token_requests_counted=counted,
    )
    complete_s = max(progress.complete_at.values()) - run.t0 if progress.done else None
    newest_s = (
        max(progress.newest_at.values()) - run.t0
        if len(progress.newest_at) == len(athletes)
        else None
    )
    completion = windows_spanned(run.t0, run.t0 + complete_s) if complete_s is not None else None
    newest = windows_spanned(run.t0, run.t0 + newest_s) if newest_s is not None else None
    from bench.harness import calls_by_endpoint
    from bench.summary import budget_windows

    def ratio(optimum: int) -> float | None:
        return round(completion / optimum, 3) if completion else None

    return {
        "athletes": len(athletes),
        "activities": sum(sizes),
        "largest_history": max(sizes),
        "histories_over_5000": sum(1 for s in sizes if s >= 5000),
        "token_requests_counted": counted,
        **figures,
        "completion_s": complete_s,
        "completion_windows": completion,
        "completion_vs_optimum": ratio(figures["optimum_windows"]),
        "completion_vs_optimum_old": ratio(figures["optimum_windows_old"]),
        "completion_target_x": COMPLETION_TARGET,
        "completion_met": completion is not None
        and completion <= COMPLETION_TARGET * figures["optimum_windows"],
        "athletes_complete": len(progress.complete_at),
        "newest_page_all_s": newest_s,
        "newest_page_all_windows": newest,
        "newest_page_target_windows": NEWEST_TARGET,
        "newest_page_met": newest is not None and newest <= NEWEST_TARGET,
        "api_calls": len(calls),
        "api_calls_by_endpoint": calls_by_endpoint(calls),
        "http_429": sum(1 for c in calls if c[2] == 429),
        "sim_rate_limited": stats["rate_limited"],
        "quota_cost": quota_cost.cost(
            calls, athletes=len(athletes), measure_from=run.t0, end=run.end
        ),
        "daily_reserve_check": quota_cost.reserve_check(spent.rows, read_daily),
        "wall_seconds": round(time.perf_counter() - wall, 1),
        "series": {
            "completion_curve": progress.curve,
            "budget_windows": budget_windows(calls, run.t0, run.now() + 1),
        },
    }
