"""Periodic jobs: rows in ``scheduler_jobs`` with a next run time and a lease.

The admin API lists them with their next run, and ``POST /api/admin/scheduler/trigger/{job}``
sets ``next_run_at`` to now. Pausing the scheduler pauses them with automatic syncs.

- ``prune_logs`` (daily): sync sessions and log lines older than the retention (7 days).
- ``purge_check`` (hourly): a purge job for every deauthorized athlete whose grace has passed,
  in case the one scheduled at deauthorization was lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, select

from stravasync.store import jobs as jobs_q
from stravasync.store import sessions as sessions_q
from stravasync.store.schema import athletes, scheduler_jobs
from stravasync.store.upsert import upsert_rows
from stravasync.work import describe, leases

if TYPE_CHECKING:
    from stravasync.sync.engine import Engine

log = logging.getLogger(__name__)

RETRY = timedelta(minutes=10)  # a periodic job that failed runs again this much later


def _prune_logs(engine: Engine, conn: Connection, now: datetime) -> str:
    removed = sessions_q.prune(conn, now=now, keep_days=engine.cfg.log_retention_days)
    return f"pruned {removed} log lines"


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


JOBS: dict[str, tuple[float, Callable[[Engine, Connection, datetime], str]]] = {
    "prune_logs": (86400.0, _prune_logs),
    "purge_check": (3600.0, _purge_check),
}


def ensure_jobs(conn: Connection, now: datetime) -> None:
    """Create the job rows that do not exist yet (first run due after one interval)."""
    rows = [
        {
            "name": name,
            "interval_s": int(interval),
            "paused": False,
            "next_run_at": now + timedelta(seconds=interval),
        }
        for name, (interval, _) in JOBS.items()
    ]
    upsert_rows(conn, scheduler_jobs, rows, key=["name"], update=())


def claim_due(
    conn: Connection, *, owner: str, now: datetime, lease_seconds: float
) -> dict[str, Any] | None:
    rows = leases.claim(
        conn,
        scheduler_jobs,
        key="name",
        owner=owner,
        now=now,
        lease_seconds=lease_seconds,
        where=[scheduler_jobs.c.paused.is_(False), scheduler_jobs.c.name.in_(list(JOBS))],
        due_column="next_run_at",
    )
    return rows[0] if rows else None


def run_due(engine: Engine, job: dict[str, Any]) -> None:
    """Run a periodic job; a failure is logged and the job is tried again after ``RETRY``."""
    now = engine.clock.now()
    interval, action = JOBS[job["name"]]
    try:
        with engine.db.transaction() as conn:
            message = action(engine, conn, now)
            leases.release(
                conn,
                scheduler_jobs,
                key="name",
                ident=job["name"],
                owner=engine.owner,
                values={"last_run_at": now, "next_run_at": now + timedelta(seconds=interval)},
            )
    except Exception as exc:
        log.exception("periodic job %s failed: %s", job["name"], describe(exc))
        retry = min(RETRY, timedelta(seconds=interval))
        with engine.db.transaction() as conn:
            leases.release(
                conn,
                scheduler_jobs,
                key="name",
                ident=job["name"],
                owner=engine.owner,
                values={"next_run_at": engine.clock.now() + retry},
            )
        return
    log.info("periodic job %s: %s", job["name"], message)


def next_run_at(conn: Connection) -> datetime | None:
    return leases.next_claimable(
        conn,
        scheduler_jobs,
        where=[scheduler_jobs.c.paused.is_(False), scheduler_jobs.c.name.in_(list(JOBS))],
        due_column="next_run_at",
    )
