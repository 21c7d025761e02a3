"""Periodic jobs: rows in ``scheduler_jobs`` with a next run time and a lease.

The admin API lists them with their next run, and ``POST /api/admin/scheduler/trigger/{job}``
sets ``next_run_at`` to now. Pausing the scheduler pauses them with automatic syncs.

- ``prune_logs`` (daily): sync sessions and log lines older than the retention (7 days), and
  processed and ignored webhook events older than theirs (7 days; dead events stay).
- ``purge_check`` (hourly): a purge job for every deauthorized athlete whose grace has passed,
  in case the one scheduled at deauthorization was lost.
- ``recount_unparked`` (daily): the tally of athletes synced automatically (read by every
  planning pass instead of a count) set again from the rows, so a write that bypassed
  :mod:`stravasync.store.pending.parking` (a bulk load, a hand edit) cannot skew the cadence
  for long.

Jobs on a clock (:mod:`stravasync.sync.jobs.clockjobs`) share the table: their row carries the cron
expression in ``schedule``; an empty setting removes the row (the job is off). A row whose
``next_run_at`` passed while no process ran is claimed at start and runs once (catch-up,
coalesced), its next run computed from then. Every run stores ``last_status`` (ok | failed)
and a one-line ``last_outcome``; a failed run waits for its next time, it is not retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, delete, select, update

from stravasync.schedule import CLOCK_JOBS, next_run, zone
from stravasync.store.pending import event_reads, parking
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.pending import sessions as sessions_q
from stravasync.store.schema import athletes, scheduler_jobs
from stravasync.store.upsert import upsert_rows
from stravasync.sync.config import EngineConfig
from stravasync.sync.jobs.clockjobs import ACTIONS as CLOCK_ACTIONS
from stravasync.sync.jobs.opsjobs import OPS_JOBS
from stravasync.sync.jobs.opsjobs import intervals as ops_intervals
from stravasync.work import describe, leases

if TYPE_CHECKING:
    from stravasync.sync.engine import Engine

log = logging.getLogger(__name__)

RETRY = timedelta(minutes=10)  # a periodic job that failed runs again this much later


def _prune_logs(engine: Engine, conn: Connection, now: datetime) -> str:
    removed = sessions_q.prune(conn, now=now, keep_days=engine.cfg.log_retention_days)
    events = event_reads.prune(conn, now=now, keep_days=engine.cfg.inbox_retention_days)
    return f"pruned {removed} log lines, {events} webhook events"


def _purge_check(engine: Engine, conn: Connection, now: datetime) -> str:
    due = conn.execute(
        select(athletes.c.id, athletes.c.purge_after).where(
            and_(athletes.c.status == "deauthorized", athletes.c.purge_after <= now)
        )
    ).all()
    for row in due:
        jobs_q.enqueue(
            conn,
            kind="purge",
            athlete_id=int(row.id),
            due_at=now,
            now=now,
            dedupe_key=f"purge:{row.id}:{int(row.purge_after.timestamp())}",
        )
    return f"{len(due)} purges due"


def _recount_unparked(engine: Engine, conn: Connection, now: datetime) -> str:
    was = parking.unparked_count(conn)
    counted = parking.recount(conn)
    if counted != was:
        log.warning("tally of athletes synced automatically was %d, counted %d", was, counted)
    return f"{counted} athletes synced automatically (the tally said {was})"


JOBS: dict[str, tuple[float, Callable[[Engine, Connection, datetime], str]]] = {
    "prune_logs": (86400.0, _prune_logs),
    "purge_check": (3600.0, _purge_check),
    "recount_unparked": (86400.0, _recount_unparked),
}


def ensure_jobs(conn: Connection, now: datetime, cfg: EngineConfig | None = None) -> None:
    """Create the job rows that do not exist yet (an interval job first runs after one
    interval); bring the clock jobs' rows in line with their settings."""
    rows = [
        {
            "name": name,
            "interval_s": int(interval),
            "paused": False,
            "next_run_at": now + timedelta(seconds=interval),
        }
        for name, (interval, _) in JOBS.items()
    ]
    ops = ops_intervals(cfg) if cfg is not None else {}
    rows += [
        {
            "name": name,
            "interval_s": int(interval),
            "paused": False,
            # a warehouse left behind while no process ran is brought in step at start
            "next_run_at": now if name == "copies_prune" else now + timedelta(seconds=interval),
        }
        for name, interval in ops.items()
    ]
    upsert_rows(conn, scheduler_jobs, rows, key=["name"], update=())
    schedules = cfg.schedules if cfg is not None else {}
    off = [name for name in CLOCK_JOBS if name not in schedules]
    off += [name for name in OPS_JOBS if name not in ops]
    conn.execute(delete(scheduler_jobs).where(scheduler_jobs.c.name.in_(off)))
    tz = zone(cfg.schedule_tz if cfg is not None else "UTC")
    stored = {
        r.name: r.schedule
        for r in conn.execute(
            select(scheduler_jobs.c.name, scheduler_jobs.c.schedule).where(
                scheduler_jobs.c.name.in_(list(schedules))
            )
        )
    }
    for name, expr in schedules.items():
        planned = next_run(expr, tz, now)
        if name not in stored:
            upsert_rows(
                conn,
                scheduler_jobs,
                [
                    {
                        "name": name,
                        "interval_s": 0,
                        "paused": False,
                        "next_run_at": planned,
                        "schedule": expr,
                    }
                ],
                key=["name"],
                update=(),
            )
        elif stored[name] != expr:  # the setting changed: its next run is the new one's
            conn.execute(
                update(scheduler_jobs)
                .where(scheduler_jobs.c.name == name)
                .values(schedule=expr, next_run_at=planned)
            )


def _names(cfg: EngineConfig) -> list[str]:
    return [*JOBS, *cfg.schedules, *ops_intervals(cfg)]


def claim_due(
    conn: Connection,
    *,
    owner: str,
    now: datetime,
    lease_seconds: float,
    cfg: EngineConfig | None = None,
) -> dict[str, Any] | None:
    names = _names(cfg) if cfg is not None else list(JOBS)
    if cfg is not None and {"daily_flow", "warehouse_refresh"} & set(cfg.schedules):
        # a flow syncs for up to its deadline: its lease must outlast it, or a second worker
        # would claim the same run (a crashed run is then retried this much later)
        lease_seconds += cfg.flow_deadline
    rows = leases.claim(
        conn,
        scheduler_jobs,
        key="name",
        owner=owner,
        now=now,
        lease_seconds=lease_seconds,
        where=[scheduler_jobs.c.paused.is_(False), scheduler_jobs.c.name.in_(names)],
        due_column="next_run_at",
    )
    return rows[0] if rows else None


def _following(engine: Engine, name: str, now: datetime) -> datetime:
    if name in JOBS:
        return now + timedelta(seconds=JOBS[name][0])
    if name in OPS_JOBS:
        return now + timedelta(seconds=OPS_JOBS[name][0](engine.cfg) or JOBS["purge_check"][0])
    return next_run(engine.cfg.schedules[name], zone(engine.cfg.schedule_tz), now)


def _run(engine: Engine, name: str, now: datetime) -> str:
    if name in JOBS:
        with engine.db.transaction() as conn:
            return JOBS[name][1](engine, conn, now)
    if name in OPS_JOBS:
        return OPS_JOBS[name][1](engine, now)
    return CLOCK_ACTIONS[name](engine, now)


def run_due(engine: Engine, job: dict[str, Any]) -> None:
    """Run a periodic job and store its outcome. A failure is logged; an interval job is
    tried again after ``RETRY``, a job on a clock at its next scheduled time."""
    now = engine.clock.now()
    name = job["name"]
    try:
        message, status = _run(engine, name, now), "ok"
    except Exception as exc:  # one job's failure is its outcome, not the worker's end
        message, status = describe(exc), "failed"
        log.exception("periodic job %s failed: %s", name, message)
    finished = engine.clock.now()
    if status == "ok" or name not in JOBS:
        following = _following(engine, name, finished)
    else:  # an interval job retries soon; a job on a clock waits for its next time
        following = finished + min(RETRY, timedelta(seconds=JOBS[name][0]))
    with engine.db.transaction() as conn:
        leases.release(
            conn,
            scheduler_jobs,
            key="name",
            ident=name,
            owner=engine.owner,
            values={
                "last_run_at": now,
                "next_run_at": following,
                "last_status": status,
                "last_outcome": " ".join(message.split())[:1024],
            },
        )
    log.info("periodic job %s: %s", name, message)


def next_run_at(conn: Connection, cfg: EngineConfig | None = None) -> datetime | None:
    names = _names(cfg) if cfg is not None else list(JOBS)
    return leases.next_claimable(
        conn,
        scheduler_jobs,
        where=[scheduler_jobs.c.paused.is_(False), scheduler_jobs.c.name.in_(names)],
        due_column="next_run_at",
    )


def run_now(engine: Engine, name: str) -> dict[str, Any] | None:
    """Run one job at once in this process (``stravasync scheduler run``): its row afterwards,
    or None when no such job is enabled. A run under way elsewhere holds the lease: then the
    row is returned unchanged, with ``lease_owner`` set."""
    now = engine.clock.now()
    with engine.db.transaction() as conn:
        ensure_jobs(conn, now, engine.cfg)
        if name not in _names(engine.cfg):
            return None
        conn.execute(
            update(scheduler_jobs)
            .where(scheduler_jobs.c.name == name, scheduler_jobs.c.lease_owner.is_(None))
            .values(next_run_at=now)
        )
        claimed = leases.claim(
            conn,
            scheduler_jobs,
            key="name",
            owner=engine.owner,
            now=now,
            lease_seconds=engine.cfg.lease + engine.cfg.flow_deadline,
            where=[scheduler_jobs.c.name == name],
            due_column="next_run_at",
        )
    if claimed:
        run_due(engine, claimed[0])
    with engine.db.engine.connect() as conn:
        row = conn.execute(select(scheduler_jobs).where(scheduler_jobs.c.name == name)).first()
    return dict(row._mapping) if row is not None else None
