"""daily-reserve: a day drained by enrichment still serves a burst at its worst hour.

The same engine, quota (default: 100 reads / 15 min, 1,000 / day) and world generator as
club-week, made cheaper: 100 members (club-week has 200) connect the evening before (20:03 UTC,
over an hour); enrichment of their last 30 days (about 1,500 detail fetches, more than a day
of reads) drains the next day. At 23:00 UTC that day, an hour before the daily reset, when
enrichment has spent all it may, 50 new athletes connect and 20 members ask for a manual sync
(an incremental listing, as the admin API's "sync now" does). Run twice: with the default daily
reserve, and with none and the daily cushions released over the last 2.4 h (the budget before
issue 14). Served: a new athlete when their newest page is mirrored, a manual sync when its
pass is done.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import classes
from bench.drivers import SCOPE, Run
from bench.harness import Scenario
from bench.metrics import percentile
from bench.scenarios import START, club_week
from stravasync.store.pending import syncstate
from stravasync.store.schema import sync_state
from stravasync.strava.setup import limits_from_settings

# Members connect the evening before (their onboarding, which the reserve is for, spends that
# day's budget); the measured day is the next one: enrichment drains it, the burst comes at
# 23:00 UTC, an hour before its reset.
EVENING = START.replace(day=START.day - 1, hour=20)  # 20:03, off a quarter-hour guard
BURST_AT = START.replace(hour=23, minute=0)
MEMBERS = 100
NEW_ATHLETES = 50
MANUAL_SYNCS = 20
AFTER_S = 3 * 3600.0  # the run goes on this long after the burst (past the reset)
TARGET_S = 30 * 60.0  # "served within minutes": within two quarter hours
VARIANTS: dict[str, dict[str, Any]] = {
    "default reserve": {},
    # the budget before issue 14: no reserve, daily cushions released over the last 2.4 h only
    "no reserve": {"budget_daily_reserve": 0.0, "budget_daily_release": 0.1},
}


def scenario(settings: dict[str, Any], members: int = MEMBERS) -> Scenario:
    """club-week's world with ``NEW_ATHLETES`` more; ``settings`` for the engine."""
    base = club_week(athletes=members + NEW_ATHLETES, days=1.0)
    everyone = list(range(10_000_001, 10_000_001 + members + NEW_ATHLETES))
    regular, late = everyone[:members], everyone[members:]
    spread = 3600.0 / members
    burst_s = (BURST_AT - EVENING).total_seconds()
    connects = {a: i * spread for i, a in enumerate(regular)}
    connects.update({a: burst_s for a in late})
    return replace(
        base,
        sim=replace(base.sim, start=EVENING),
        start=EVENING,
        name="daily-reserve",
        warmup_s=0.0,
        measure_s=burst_s + AFTER_S,
        connects=connects,
        deauths={},
        settings=settings,
    )


def _served(run: Run, new: list[int], manual: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Newest-page times of the new athletes, finish times of the manual syncs (epoch s)."""
    with run.lab.db.engine.connect() as conn:
        rows = conn.execute(
            select(
                sync_state.c.athlete_id,
                sync_state.c.first_synced_at,
                sync_state.c.requested_mode,
                sync_state.c.last_success_at,
            ).where(sync_state.c.athlete_id.in_(new + manual))
        ).all()
    newest = {
        r.athlete_id: int(r.first_synced_at.timestamp())
        for r in rows
        if r.athlete_id in new and r.first_synced_at is not None
    }
    burst = int(BURST_AT.timestamp())
    synced = {
        r.athlete_id: int(r.last_success_at.timestamp())
        for r in rows
        if r.athlete_id in manual
        and r.requested_mode is None
        and r.last_success_at is not None
        and r.last_success_at.timestamp() >= burst
    }
    return newest, synced


def run_variant(sc: Scenario, work_dir: Path, db_url: str) -> dict[str, Any]:
    wall = time.perf_counter()
    run = Run("stravasync", sc, work_dir, db_url)
    lab, engine = run.lab, run.lab.engine
    spent = classes.install(lab)
    burst = int(BURST_AT.timestamp())
    new = sorted(a for a, s in sc.connects.items() if s >= burst - run.t0)
    members = sorted(a for a in sc.connects if a not in new)
    manual = members[:: max(1, len(members) // MANUAL_SYNCS)][:MANUAL_SYNCS]
    exchanged: dict[int, int] = {}
    asked = False
    used_at_burst: int | None = None

    def connect(athlete_id: int) -> None:
        lab.connect(athlete_id, SCOPE)
        if athlete_id in new:
            exchanged[athlete_id] = run.now()

    while run.now() < run.end:
        wake = engine.next_wakeup()
        lab.sim.advance_to(run.targets(wake, BURST_AT if not asked else None))
        if not asked and run.now() >= burst:
            used_at_burst = sum(1 for t, _ in spent.rows if t // 86400 == burst // 86400)
            with lab.db.transaction() as conn:
                for athlete_id in manual:
                    syncstate.request_mode(conn, athlete_id, "incremental", lab.clock.now())
            asked = True
        acted = run.timeline.due(connect, lambda a: None)
        wake = engine.next_wakeup()
        if acted or asked or (wake is not None and wake <= lab.clock.now()):
            engine.run_until_idle()
        if asked:
            newest, synced = _served(run, new, manual)
            if len(newest) == len(new) and len(synced) == len(manual):
                break
    newest, synced = _served(run, new, manual)
    calls = run.log.rows
    read_daily = limits_from_settings(lab.settings).read_daily
    reserve = lab.settings.budget_daily_reserve
    lab.close()
    waits_new = sorted(t - burst for t in newest.values())
    waits_manual = sorted(t - burst for t in synced.values())
    worst = max(waits_new + waits_manual) if newest and synced else None
    everyone = len(newest) == len(new) and len(synced) == len(manual)
    return {
        "daily_reserve": reserve,
        "burst_at": BURST_AT.isoformat(),
        "read_daily": read_daily,
        "day_reads_before_burst": used_at_burst,
        "new_athletes": len(new),
        "new_served": len(newest),
        "new_exchange_wait_max_s": max((t - burst for t in exchanged.values()), default=None),
        "new_newest_page_p50_s": percentile(waits_new, 50),
        "new_newest_page_max_s": max(waits_new, default=None),
        "manual_syncs": len(manual),
        "manual_served": len(synced),
        "manual_p50_s": percentile(waits_manual, 50),
        "manual_max_s": max(waits_manual, default=None),
        "served_max_s": worst,
        "target_s": TARGET_S,
        "met": everyone and worst is not None and worst <= TARGET_S,
        "http_429": sum(1 for c in calls if c[2] == 429),
        "budget_classes": classes.per_day(spent.rows, read_daily),
        "wall_seconds": round(time.perf_counter() - wall, 1),
    }


def _variant(name: str, work: Path) -> dict[str, Any]:
    logging.getLogger("stravasync").setLevel(logging.CRITICAL)
    sc = scenario(VARIANTS[name])
    return run_variant(sc, work / name.replace(" ", "-"), _db(work, name))


def compare(work: Path) -> dict[str, Any]:
    """The default reserve against none, on the same world and timeline (two processes)."""
    out: dict[str, Any] = {"scenario": "daily-reserve", "seed": scenario({}).sim.seed}
    print(f"daily-reserve: {', '.join(VARIANTS)} ...", flush=True)
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_variant, name, work) for name in VARIANTS}
        variants = {name: f.result() for name, f in futures.items()}
    for name, v in variants.items():
        print(f"  {name} done in {v['wall_seconds']} s", flush=True)
    out["variants"] = variants
    out["config"] = {
        "members": MEMBERS,
        "members_connect": EVENING.isoformat(),
        "new_athletes": NEW_ATHLETES,
        "manual_syncs": MANUAL_SYNCS,
        "quota": "default",
        "burst_at": BURST_AT.isoformat(),
        "database": "sqlite",
    }
    return out


def _db(work: Path, name: str) -> str:
    return f"sqlite:///{work / (name.replace(' ', '-') + '.db')}"
