"""Freshness runs (issue 24): our engine on a world, every change's delay by kind (silent
edits apart), reads per hour by budget class, the machine's load, and, when one athlete is
watched, how long their first full history (summaries, details, streams) took against the
quota's optimum.

The optimum: the reads a history needs (its pages, the token exchange, a detail and the
streams of every activity) over the reads the quota allows per unit of time (the daily read
limit is the binding one: 1,000 a day against 100 per 15 min = 9,600 a day). Nothing else may
run faster; a mirror that also keeps 9 other athletes fresh cannot reach it.
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select

from bench import classes
from bench.drivers import Run
from bench.harness import Scenario
from bench.metrics import freshness, percentile
from stravasync.store.schema import activities as activities_t
from stravasync.store.schema import activity_details, activity_streams
from stravasync.strava.setup import limits_from_settings

HOUR = 3600
DAY = 86400


def history_state(run: Run, athlete_id: int) -> tuple[int, int]:
    """(live activities mirrored, of which with a detail and streams) for one athlete."""
    with run.lab.db.engine.connect() as conn:
        live = and_(activities_t.c.athlete_id == athlete_id, activities_t.c.deleted_at.is_(None))
        total = conn.execute(select(func.count()).where(live)).scalar_one()
        whole = conn.execute(
            select(func.count())
            .select_from(
                activities_t.join(
                    activity_details, activity_details.c.activity_id == activities_t.c.id
                ).join(activity_streams, activity_streams.c.activity_id == activities_t.c.id)
            )
            .where(live)
        ).scalar_one()
    return int(total), int(whole)


def _kinds(resolved: list[Any], silent: set[tuple[int, int]], end: int) -> dict[str, Any]:
    groups: dict[str, list[Any]] = {
        "create": [r for r in resolved if r.kind == "create"],
        "update_pushed": [
            r for r in resolved if r.kind == "update" and (r.at, r.activity_id) not in silent
        ],
        "update_silent": [
            r for r in resolved if r.kind == "update" and (r.at, r.activity_id) in silent
        ],
        "delete": [r for r in resolved if r.kind == "delete"],
    }
    out = {name: freshness([_as(r, "x") for r in rows], "x", end) for name, rows in groups.items()}
    out["all"] = freshness([_as(r, "x") for r in resolved], "x", end)
    return out


def _as(r: Any, kind: str) -> Any:
    return type(r)(r.at, kind, r.athlete_id, r.activity_id, r.seen)


def _hourly(rows: list[tuple[int, str]], since: int, until: int) -> list[dict[str, Any]]:
    hours: dict[int, Counter[str]] = {}
    for t, name in rows:
        if since <= t < until:
            hours.setdefault((t - since) // HOUR, Counter())[name] += 1
    n = max(1, math.ceil((until - since) / HOUR))
    return [{"hour": h, **dict(hours.get(h, Counter()))} for h in range(n)]


def run_fresh(
    scenario: Scenario,
    work: Path,
    *,
    policy: str = "stravasync",
    watch: int | None = None,
) -> dict[str, Any]:
    """Run ``scenario`` with our engine (``policy`` ``webhook-only``: its safety net off)."""
    from dataclasses import replace

    from bench.baselines import WEBHOOK_ONLY_SETTINGS

    if policy == "webhook-only":
        scenario = replace(scenario, settings={**scenario.settings, **WEBHOOK_ONLY_SETTINGS})
    wall = time.perf_counter()
    run = Run(policy, scenario, work, f"sqlite:///{work / 'mirror.db'}")
    lab = run.lab
    spent = classes.install(lab)
    load: list[list[float]] = []  # [virtual hours since measure, wall s, loadavg 1 min]
    delays: list[list[float]] = []
    history: dict[str, Any] = {}
    next_load = 0.0
    next_watch = 0

    def connect(athlete_id: int) -> None:
        run.join(athlete_id)
        if athlete_id == watch:
            history["connected_at"] = run.now()

    while run.now() < run.end:
        run.step(connect)
        elapsed = time.perf_counter() - wall
        if elapsed >= next_load:
            hours = (run.now() - run.measure_from) / HOUR
            load.append([round(hours, 2), round(elapsed, 1), os.getloadavg()[0]])
            next_load = elapsed + 10.0
        if "connected_at" in history and "done_at" not in history and run.now() >= next_watch:
            next_watch = run.now() + 600
            total, whole = history_state(run, watch or 0)
            history["progress"] = [total, whole]
            history["last_check"] = run.now()
            if total and whole >= total and run.now() > history["connected_at"]:
                history["done_at"] = run.now()
    read_daily = limits_from_settings(lab.settings).read_daily
    rec = run.record(time.perf_counter() - wall)
    measured = [c for c in rec.calls if c[0] >= rec.measure_from]
    days = max((rec.end - rec.measure_from) / DAY, 1e-9)
    for r in rec.resolved:
        if r.seen is not None:
            delays.append([round((r.at - rec.measure_from) / HOUR, 3), r.seen - r.at, r.kind])
    silent = run.observer.silent
    by_class = Counter(c for t, c in spent.rows if t >= rec.measure_from)
    out: dict[str, Any] = {
        "policy": policy,
        "api_calls": len(measured),
        "http_429": sum(1 for c in rec.calls if c[2] == 429),
        "calls_per_athlete_per_day": round(len(measured) / max(len(run.active), 1) / days, 3),
        "athletes_at_end": len(run.active),
        "missing": rec.diff.missing,
        "zombies": rec.diff.zombies,
        "stale": rec.diff.stale,
        "stale_fields": rec.diff.stale_fields,
        "stale_detail": rec.diff.stale_detail,
        "stale_detail_fields": rec.diff.stale_detail_fields,
        "details_checked": rec.diff.details_checked,
        "freshness": _kinds(rec.resolved, silent, rec.end),
        "detail_only_edits": run.observer.detail_only_edits,
        "reads_by_class": dict(sorted(by_class.items())),
        "reads_per_hour_by_class": {
            k: round(v / (days * 24), 2) for k, v in sorted(by_class.items())
        },
        "hourly": _hourly(spent.rows, rec.measure_from, rec.end),
        "daily": rec.daily,
        "delays": delays,
        "loadavg": load,
        "loadavg_1min_p50_max": [percentile([x[2] for x in load], 50), max(x[2] for x in load)]
        if load
        else None,
        "wall_seconds": round(rec.wall_s, 1),
    }
    if watch is not None:
        out["history"] = _history_figures(history, read_daily, rec.measure_from)
    return out


def _history_figures(history: dict[str, Any], read_daily: int, t0: int) -> dict[str, Any]:
    total, whole = history.get("progress", [0, 0])
    needed = math.ceil(total / 200) + 1 + 2 * total  # pages, token exchange, detail + streams
    optimum = needed / read_daily * DAY
    connected = history.get("connected_at")
    done = history.get("done_at")
    took = done - connected if done is not None and connected is not None else None
    return {
        "activities": total,
        "complete_with_streams": whole,
        "reads_needed": needed,
        "optimum_s": round(optimum),
        "target_s": round(optimum * 1.15),
        "connected_h": round((connected - t0) / HOUR, 2) if connected is not None else None,
        "took_s": took,
        "elapsed_s": (history.get("last_check") or 0) - connected if connected else None,
        "ratio_to_optimum": round(took / optimum, 3) if took is not None else None,
    }
