"""The jobs that run on a clock (``STRAVASYNC_SCHEDULE_<JOB>``; see :mod:`stravasync.schedule`).

- ``warehouse_refresh``: ``export --format duckdb`` into ``STRAVASYNC_EXPORT_WAREHOUSE``,
  recorded as a ``warehouse`` session with its stage timings (also the flow's refresh).
- ``daily_flow``: the personal flow: every connected athlete is asked for an incremental sync,
  the engine works until idle (the enrichment of new activities follows their listing, as in
  any sync) within ``STRAVASYNC_SCHEDULE_FLOW_DEADLINE``, then the warehouse is refreshed.
- ``stale_report``: athletes not synced successfully for ``STRAVASYNC_SCHEDULE_STALE_DAYS``
  (seed 001: 7 days): a log line naming them, an ``athlete.stale`` notification per athlete to
  the owning app, and their count as the job's outcome in ``/api/admin/scheduler`` (no ids
  there: a purged athlete's id must not outlive them in the scheduler's table).

Each action opens its own transactions (an export must not hold the write lock) and returns
one line, stored as the job's outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, or_, select

from stravasync.store.pending import outbox
from stravasync.store.pending import syncstate as syncstate_q
from stravasync.store.schema import athletes, sync_state

if TYPE_CHECKING:
    from stravasync.sync.engine import Engine

log = logging.getLogger(__name__)

# ids named in the report's log line (the count is always complete)
REPORT_IDS = 100


def stale_athletes(conn: Connection, *, now: datetime, days: float) -> list[int]:
    """Connected athletes whose last successful sync is older than ``days`` (or never)."""
    cutoff = now - timedelta(days=days)
    stmt = (
        select(athletes.c.id)
        .select_from(athletes.outerjoin(sync_state, sync_state.c.athlete_id == athletes.c.id))
        .where(
            and_(
                athletes.c.status == "active",
                or_(sync_state.c.last_success_at.is_(None), sync_state.c.last_success_at < cutoff),
            )
        )
        .order_by(athletes.c.id)
    )
    return [int(r) for r in conn.execute(stmt).scalars()]


def stale_report(engine: Engine, now: datetime) -> str:
    """One ``athlete.stale`` notification per stale athlete (with its athlete id, so a purge
    removes it like every other row about them); the outcome line holds only the count."""
    days = engine.cfg.stale_days
    with engine.db.transaction() as conn:
        stale = stale_athletes(conn, now=now, days=days)
        if engine.cfg.notify:
            for athlete_id in stale:
                outbox.enqueue(
                    conn,
                    event="athlete.stale",
                    athlete_id=athlete_id,
                    activity_id=None,
                    payload={"athlete_id": athlete_id, "days": days},
                    now=now,
                )
    if not stale:
        return f"no athlete unsynced for {days:g}+ days"
    shown = stale[:REPORT_IDS]
    more = f" (+{len(stale) - len(shown)} more)" if len(stale) > len(shown) else ""
    log.warning(
        "stale connections: %d athletes not synced for %g+ days: %s%s",
        len(stale),
        days,
        ", ".join(map(str, shown)),
        more,
    )
    notified = " (notified)" if engine.cfg.notify else ""
    return f"{len(stale)} athletes not synced for {days:g}+ days{notified}"


def warehouse_refresh(engine: Engine, now: datetime) -> str:
    """The refresh, recorded as a ``warehouse`` session (trigger ``schedule``) with its stage
    timings (:mod:`stravasync.export.runs`)."""
    from stravasync.export.runs import recorded
    from stravasync.export.warehouse import refresh_warehouse

    summary: dict[str, Any] = {"format": "duckdb"}
    with (
        recorded(
            engine.db, mode="warehouse", trigger="schedule", now=engine.clock.now, summary=summary
        ) as watch,
        engine.db.snapshot() as conn,
    ):
        report = refresh_warehouse(
            conn, Path(engine.cfg.warehouse), full=False, watch=watch
        ).as_json()
        summary["rows"] = {k: v for k, v in report.items() if k != "full"}
        summary["full"] = report["full"]
    counts = ", ".join(f"{k} {v}" for k, v in report.items() if k != "full")
    return f"warehouse refreshed ({counts})"


def daily_flow(engine: Engine, now: datetime) -> str:
    with engine.db.transaction() as conn:
        # an athlete still in backfill is being synced anyway: asking for a mode would only
        # interrupt the backfill's order
        ids = [
            int(r)
            for r in conn.execute(
                select(athletes.c.id)
                .join(sync_state, sync_state.c.athlete_id == athletes.c.id)
                .where(
                    and_(
                        athletes.c.status == "active",
                        athletes.c.auto_sync.is_(True),
                        sync_state.c.backfill_done.is_(True),
                    )
                )
            ).scalars()
        ]
        for athlete_id in ids:
            syncstate_q.request_mode(conn, athlete_id, "incremental", now)
    report = engine.run_until_idle(deadline=engine.cfg.flow_deadline).as_json()
    warehouse = warehouse_refresh(engine, engine.clock.now())
    return (
        f"{len(ids)} athletes: synced {report['synced']}, failed {report['failed']}, "
        f"deferred {report['deferred']}, {report['api_calls']} calls; {warehouse}"
    )


ACTIONS: dict[str, Callable[[Engine, datetime], str]] = {
    "warehouse_refresh": warehouse_refresh,
    "daily_flow": daily_flow,
    "stale_report": stale_report,
}
