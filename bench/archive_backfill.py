"""Backfill with and without the account-export archive: API requests and time to complete.

    .venv/bin/python bench/archive_backfill.py --athletes 10 --history-days 730 [--json OUT]

Two identical virtual-time worlds (same seed, rate-limited quota). In the first, every athlete
connects and the engine backfills from the API. In the second, each athlete's export archive
(made by the simulator, requested 3 days before they connect) is imported right after the
connect; the engine then runs the reconcile the import requested and whatever else it decides.

For each variant: the requests (by endpoint, token exchanges included) spent until every
summary history is *exact* (the end diff against the simulator's truth: ids, names, privacy,
every compared field), the quarter-hour windows that took, and the requests spent until the
engine has nothing left to do (or the horizon). The difference is the quota the archive saves
(or costs). Most of the wall time is the simulator writing the FIT files (fit-tool), hence the
small default. Detail fetches (``GET /activities/{id}``) are reported apart: the importer stores
summaries only (no laps, splits or streams), so it cannot save enrichment calls.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from stravasync.archive.importer import import_archive
from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.simulator.content.archive import write_archive
from stravasync.store.schema import activities

START = datetime(2026, 3, 2, 6, 3, tzinfo=UTC)
WINDOW = 900
STEP = 60.0  # seconds of virtual time between checks (the figures' resolution)
DETAIL = "GET /api/v3/activities/{id}"


def _windows(seconds: float) -> int:
    """Quarter hours from the one holding the start to the one holding ``start + seconds``."""
    t0 = int(START.timestamp()) + 3 * 86400
    return (t0 + int(seconds)) // WINDOW - t0 // WINDOW + 1


def _requests(lab: Lab) -> dict[str, int]:
    by = lab.sim.stats()["requests"]
    return {name: sum(statuses.values()) for name, statuses in sorted(by.items())}


def _summaries_exact(lab: Lab, ids: list[int]) -> bool:
    return all(d.exact for d in lab.diff(ids))


def run(
    athletes: int, history_days: int, with_archive: bool, quota: str, horizon_h: float
) -> dict[str, Any]:
    wall = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    config = SimConfig(
        seed=11, athletes=athletes, history_days=history_days, late_connect_fraction=0.0,
        heavy_fraction=0.0, quota=quota, deauth_per_year=0.0,
    )  # fmt: skip
    lab = Lab(db_url=f"sqlite:///{tmp}/m.db", sim_config=config, start=START, work_dir=tmp,
              webhooks=False)  # fmt: skip
    try:
        ids = lab.sim.athlete_ids()
        archives: dict[int, Path] = {}
        if with_archive:
            for aid in ids:
                archives[aid] = tmp / f"{aid}.zip"
                write_archive(lab.sim.world, aid, lab.clock.now(), archives[aid])
        lab.sim.advance_to(START + timedelta(days=3))
        t0 = lab.clock.now()
        imported = problems = 0
        for aid in ids:
            lab.connect(aid)
            if with_archive:
                report = import_archive(lab.db, aid, archives[aid], lab.clock.now())
                imported += report.imported
                problems += len(report.errors)
        complete_s: float | None = None
        at_complete: dict[str, int] = {}
        end = t0 + timedelta(hours=horizon_h)
        idle = False
        while lab.clock.now() < end:
            lab.run_until_idle()
            now = lab.clock.now()
            if complete_s is None and _summaries_exact(lab, ids):
                complete_s = (now - t0).total_seconds()
                at_complete = _requests(lab)
            wake = lab.engine.next_wakeup()
            if complete_s is not None and (wake is None or wake > end):
                idle = True
                break
            target = now + timedelta(seconds=STEP)
            if wake is not None and now < wake < target:
                target = wake
            lab.sim.advance_to(min(target, end))
        at_end = _requests(lab)
        mirrored = sum(len(lab.sim.truth(a)) for a in ids)
        with lab.db.engine.connect() as conn:
            with_details = int(
                conn.execute(
                    select(func.count()).where(activities.c.detail_fetched_at.is_not(None))
                ).scalar_one()
            )
        return {
            "variant": "with archive" if with_archive else "API only",
            "activities": mirrored,
            "from_archive": imported,
            "archive_problems": problems,
            "summaries_exact_s": complete_s,
            "summaries_exact_windows": _windows(complete_s) if complete_s is not None else None,
            "requests_to_exact": sum(at_complete.values()) if at_complete else None,
            "requests_to_exact_by_endpoint": at_complete,
            "engine_idle": idle,
            "virtual_hours_run": round((lab.clock.now() - t0).total_seconds() / 3600, 2),
            "requests_total": sum(at_end.values()),
            "requests_by_endpoint": at_end,
            "detail_requests": at_end.get(DETAIL, 0),
            "activities_with_details": with_details,
            "wall_seconds": round(time.perf_counter() - wall, 1),
        }
    finally:
        lab.close()
        shutil.rmtree(tmp, ignore_errors=True)


def compare(
    athletes: int, history_days: int, quota: str = "default", horizon_h: float = 3.0
) -> dict[str, Any]:
    variants = [run(athletes, history_days, v, quota, horizon_h) for v in (False, True)]
    api, arc = variants

    def saved(key: str) -> int | None:
        a, b = api.get(key), arc.get(key)
        return a - b if isinstance(a, int) and isinstance(b, int) else None

    return {
        "config": {
            "athletes": athletes,
            "history_days": history_days,
            "quota": quota,
            "horizon_hours": horizon_h,
            "seed": 11,
            "heavy_fraction": 0.0,
        },
        "variants": {"api_only": api, "with_archive": arc},
        "saved": {
            "requests_to_exact": saved("requests_to_exact"),
            "requests_total": saved("requests_total"),
            "detail_requests": saved("detail_requests"),
            "windows_to_exact": saved("summaries_exact_windows"),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=10)
    parser.add_argument("--history-days", type=int, default=730)
    parser.add_argument("--quota", default="default")
    parser.add_argument("--horizon-hours", type=float, default=3.0)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    result = compare(args.athletes, args.history_days, args.quota, args.horizon_hours)
    print(f"{'variant':>14} {'to exact':>9} {'windows':>8} {'total':>6} {'details':>8} "
          f"{'activities':>11} {'from archive':>13}")  # fmt: skip
    for v in result["variants"].values():
        print(f"{v['variant']:>14} {v['requests_to_exact']!s:>9} "
              f"{v['summaries_exact_windows']!s:>8} {v['requests_total']:>6} "
              f"{v['detail_requests']:>8} {v['activities']:>11} {v['from_archive']:>13}",
              flush=True)  # fmt: skip
    print(f"saved by the archive: {json.dumps(result['saved'])}")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
