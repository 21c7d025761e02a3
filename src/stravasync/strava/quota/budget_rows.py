"""Queries on the shared rate budget: the four ``rate_budget`` rows and ``rate_history``.

Callers hold one write transaction (``Database.transaction()``) around load → decide → save:
on PostgreSQL :func:`load` locks the rows (``FOR UPDATE``, always in key order, so two
processes never deadlock); on SQLite the transaction is ``BEGIN IMMEDIATE``, one writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, select, update

from stravasync.store.schema import rate_budget, rate_history
from stravasync.store.upsert import upsert_rows
from stravasync.strava.quota.counters import Counter
from stravasync.strava.quota.ratelimit import LimitClass
from stravasync.strava.quota.windows import Window


def ensure(conn: Connection, counters: Iterable[Counter], now: datetime) -> None:
    """Insert the rows that do not exist yet (existing rows are left alone)."""
    rows = [
        {
            "limit_class": c.limit_class.value,
            "window": c.window.value,
            "window_start": c.window_start,
            "used": c.used,
            "limit_value": c.limit,
            "http_429": 0,
            "updated_at": now,
        }
        for c in counters
    ]
    upsert_rows(conn, rate_budget, rows, key=["limit_class", "window"], update=())


def load(conn: Connection, *, lock: bool) -> list[Counter]:
    """Every counter row, in key order; ``lock`` takes row locks on PostgreSQL."""
    stmt = select(rate_budget).order_by(rate_budget.c.limit_class, rate_budget.c.window)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    out: list[Counter] = []
    for r in conn.execute(stmt).mappings():
        out.append(
            Counter(
                limit_class=LimitClass(r["limit_class"]),
                window=Window(r["window"]),
                window_start=r["window_start"],
                used=int(r["used"]),
                limit=int(r["limit_value"]),
                closed_until=r["closed_until"],
                http_429=int(r["http_429"] or 0),
            )
        )
    return out


def save(conn: Connection, counters: Sequence[Counter], now: datetime) -> None:
    for c in counters:
        conn.execute(
            update(rate_budget)
            .where(
                and_(
                    rate_budget.c.limit_class == c.limit_class.value,
                    rate_budget.c.window == c.window.value,
                )
            )
            .values(
                window_start=c.window_start,
                used=c.used,
                limit_value=c.limit,
                closed_until=c.closed_until,
                http_429=c.http_429,
                updated_at=now,
            )
        )


def archive(conn: Connection, finished: Iterable[Counter]) -> None:
    """Keep a finished window's final count in ``rate_history`` (for dashboards and tests)."""
    rows = [
        {
            "limit_class": c.limit_class.value,
            "window": c.window.value,
            "window_start": c.window_start,
            "used": c.used,
            "limit_value": c.limit,
            "http_429": c.http_429,
        }
        for c in finished
    ]
    if rows:
        upsert_rows(conn, rate_history, rows, key=["limit_class", "window", "window_start"])


def history(conn: Connection, *, since: datetime | None = None) -> list[Counter]:
    """Archived windows, oldest first."""
    stmt = select(rate_history).order_by(rate_history.c.window_start, rate_history.c.limit_class)
    if since is not None:
        stmt = stmt.where(rate_history.c.window_start >= since)
    return [
        Counter(
            limit_class=LimitClass(r["limit_class"]),
            window=Window(r["window"]),
            window_start=r["window_start"],
            used=int(r["used"]),
            limit=int(r["limit_value"]),
            http_429=int(r["http_429"]),
        )
        for r in conn.execute(stmt).mappings()
    ]
