"""A counter of removals that copies of the mirror must follow (issue 23).

Every purge of an athlete and every activity deleted (on Strava, or dropped by the filter)
adds one to a counter in ``app_settings`` (``REMOVALS_KEY``), in the transaction that removes
the rows. A copy the service writes (the DuckDB warehouse) records the counter it was built
at; a copy whose counter is lower may still hold data that must be gone: ``query`` refuses to
serve it and the ``copies_prune`` job, made due by the removal, refreshes it
(:mod:`stravasync.sync.jobs.opsjobs`). The row
holds a number and a time, never an id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from stravasync.store.schema import app_settings, scheduler_jobs
from stravasync.store.upsert import upsert_rows

REMOVALS_KEY = "copies_removals"
PRUNE_JOB = "copies_prune"  # the periodic job that brings the warehouse in step


def current(conn: Connection) -> int:
    """The counter now (0 before any removal)."""
    value = conn.execute(
        select(app_settings.c.value_json).where(app_settings.c.key == REMOVALS_KEY)
    ).scalar()
    return int(value.get("seq", 0)) if isinstance(value, dict) else 0


def note(conn: Connection, *, now: datetime, kind: str) -> int:
    """Count one removal (``purge`` or ``delete``) in the caller's transaction; the new value.

    The row is locked first on PostgreSQL (two purges at once both count); SQLite has one
    writer at a time. The ``copies_prune`` job (when enabled) is made due now, so the
    warehouse follows at the engine's next step rather than at the job's next interval."""
    upsert_rows(
        conn,
        app_settings,
        [{"key": REMOVALS_KEY, "value_json": {"seq": 0}, "updated_at": now}],
        key=["key"],
        update=(),
    )
    stmt = select(app_settings.c.value_json).where(app_settings.c.key == REMOVALS_KEY)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    value = conn.execute(stmt).scalar()
    seq = (int(value.get("seq", 0)) if isinstance(value, dict) else 0) + 1
    conn.execute(
        app_settings.update()
        .where(app_settings.c.key == REMOVALS_KEY)
        .values(value_json={"seq": seq, "at": now.isoformat(), "kind": kind}, updated_at=now)
    )
    conn.execute(
        update(scheduler_jobs)
        .where(scheduler_jobs.c.name == PRUNE_JOB, scheduler_jobs.c.next_run_at > now)
        .values(next_run_at=now)
    )
    return seq
