"""Pages of the athlete overview: keyset by id, filter by status, search by name or id.

Built to stay fast with thousands of athletes: every filter has an index (the primary key,
``ix_athletes_status_id``, the lowercased name keys), searches are prefix matches (``LIKE
'q%'`` over pattern-ops indexes on PostgreSQL, a range on SQLite whose LIKE is not
index-friendly), and the activity count is computed for the page's rows only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, func, or_, select

from stravasync.store.people.athletes import (
    AthleteOverview,
    overview_rows,
    overview_select,
    search_key,
)
from stravasync.store.schema import athletes


@dataclass(frozen=True, slots=True)
class AthleteQuery:
    """What the operator asked for; ``search`` is a name prefix or an athlete id."""

    status: str | None = None
    search: str | None = None
    include_hidden: bool = True


@dataclass(frozen=True, slots=True)
class AthletePage:
    items: list[AthleteOverview]
    total: int
    next_after_id: int | None


def _prefix(column: ColumnElement[str], key: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(escaped + "%", escape="\\")
    upper = key[:-1] + chr(ord(key[-1]) + 1)  # SQLite: binary order, so [key, upper) = prefix
    return and_(column >= key, column < upper)


def conditions(query: AthleteQuery, dialect: str) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if query.status is not None:
        out.append(athletes.c.status == query.status)
    if not query.include_hidden:
        out.append(athletes.c.hidden.is_(False))
    key = search_key(query.search)
    if key is not None:
        matches = [
            _prefix(athletes.c.name_key, key, dialect),
            _prefix(athletes.c.lastname_key, key, dialect),
        ]
        if key.isdigit() and len(key) <= 19 and int(key) < 2**63:
            matches.append(athletes.c.id == int(key))
        out.append(or_(*matches))
    return out


def page_select(
    query: AthleteQuery, dialect: str, *, after_id: int | None, limit: int
) -> Select[Any]:
    stmt = overview_select().where(*conditions(query, dialect))
    if after_id is not None:
        stmt = stmt.where(athletes.c.id > after_id)
    return stmt.limit(limit)


def count_select(query: AthleteQuery, dialect: str) -> Select[Any]:
    return select(func.count()).select_from(athletes).where(*conditions(query, dialect))


def page(conn: Connection, query: AthleteQuery, *, after_id: int | None, limit: int) -> AthletePage:
    """One page by id (``limit`` rows after ``after_id``), the filter's total, the next cursor."""
    dialect = conn.dialect.name
    rows = overview_rows(conn, page_select(query, dialect, after_id=after_id, limit=limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    total = int(conn.execute(count_select(query, dialect)).scalar_one())
    return AthletePage(rows, total, rows[-1].athlete_id if more and rows else None)
