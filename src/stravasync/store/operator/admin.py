"""Read and write queries behind the admin API: runtime settings, scheduler, quota, dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from stravasync.store.schema import (
    app_settings,
    athletes,
    jobs,
    rate_budget,
    rate_history,
    scheduler_jobs,
    sync_logs,
    sync_state,
)
from stravasync.store.upsert import upsert_rows
from stravasync.work import leases

SCHEDULER_PAUSED_KEY = "scheduler_paused"


def get_setting(conn: Connection, key: str) -> Any:
    return conn.execute(select(app_settings.c.value_json).where(app_settings.c.key == key)).scalar()


def put_setting(conn: Connection, key: str, value: Any, *, now: datetime) -> None:
    upsert_rows(
        conn,
        app_settings,
        [{"key": key, "value_json": value, "updated_at": now}],
        key=["key"],
        update=["value_json", "updated_at"],
    )


def delete_setting(conn: Connection, key: str) -> None:
    conn.execute(app_settings.delete().where(app_settings.c.key == key))


def athlete_state(conn: Connection, athlete_id: int) -> dict[str, Any] | None:
    """The athlete row joined with its sync_state row (None when the athlete is unknown)."""
    stmt = (
        select(athletes, sync_state)
        .select_from(athletes)
        .outerjoin(sync_state, sync_state.c.athlete_id == athletes.c.id)
        .where(athletes.c.id == athlete_id)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def scheduler_jobs_list(conn: Connection) -> list[dict[str, Any]]:
    stmt = select(scheduler_jobs).order_by(scheduler_jobs.c.name)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def trigger_scheduler_job(conn: Connection, name: str, *, now: datetime) -> bool:
    """Make a periodic job due now; False when no such job is registered."""
    result = conn.execute(
        update(scheduler_jobs).where(scheduler_jobs.c.name == name).values(next_run_at=now)
    )
    return result.rowcount == 1


def quota_now(conn: Connection) -> list[dict[str, Any]]:
    stmt = select(rate_budget).order_by(rate_budget.c.limit_class, rate_budget.c.window)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def quota_history(conn: Connection, *, since: datetime) -> list[dict[str, Any]]:
    stmt = (
        select(rate_history)
        .where(rate_history.c.window_start >= since)
        .order_by(rate_history.c.window_start, rate_history.c.limit_class, rate_history.c.window)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def recent_logs(conn: Connection, *, after_id: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    """Log lines of every session newer than ``after_id`` (the live log), oldest first.

    With ``after_id=0`` the newest ``limit`` lines are returned.
    """
    if after_id > 0:
        stmt = select(sync_logs).where(sync_logs.c.id > after_id).order_by(sync_logs.c.id)
        return [dict(r) for r in conn.execute(stmt.limit(limit)).mappings()]
    stmt = select(sync_logs).order_by(sync_logs.c.id.desc()).limit(limit)
    return list(reversed([dict(r) for r in conn.execute(stmt).mappings()]))


def dead_athletes(conn: Connection, *, limit: int = 100) -> list[dict[str, Any]]:
    stmt = (
        select(sync_state)
        .where(sync_state.c.dead.is_(True))
        .order_by(sync_state.c.athlete_id)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def requeue_job(conn: Connection, job_id: int, *, now: datetime) -> bool:
    return leases.requeue_dead(
        conn, jobs, key="id", ident=job_id, now=now, last_error=None, updated_at=now
    )
