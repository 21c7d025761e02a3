"""The app-level Strava state row (``app_state``): at most one, shared by every process.

While the row exists nothing is sent to Strava but the probe; whoever claims the probe moves
``next_probe_at`` first, so across processes one probe is in flight per due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from stravasync.store.schema import app_state
from stravasync.store.upsert import upsert_statement

SCOPE = "strava"


@dataclass(frozen=True, slots=True)
class AppState:
    condition: str
    reason: str
    since: datetime
    probes: int
    next_probe_at: datetime
    last_probe_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "condition": self.condition,
            "reason": self.reason,
            "since": self.since.isoformat(),
            "probes": self.probes,
            "next_probe_at": self.next_probe_at.isoformat(),
            "last_probe_at": self.last_probe_at.isoformat() if self.last_probe_at else None,
        }


def get(conn: Connection, *, lock: bool = False) -> AppState | None:
    stmt = select(app_state).where(app_state.c.scope == SCOPE)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    return AppState(
        condition=row["condition"],
        reason=row["reason"],
        since=row["since"],
        probes=int(row["probes"]),
        next_probe_at=row["next_probe_at"],
        last_probe_at=row["last_probe_at"],
    )


def enter(
    conn: Connection, *, condition: str, reason: str, next_probe_at: datetime, now: datetime
) -> bool:
    """Record ``condition`` unless it already holds; True when this call changed the state
    (absent, or another condition before): exactly one caller across processes sees True."""
    row = {
        "scope": SCOPE,
        "condition": condition,
        "reason": reason[:500],
        "since": now,
        "probes": 0,
        "next_probe_at": next_probe_at,
        "last_probe_at": None,
        "updated_at": now,
    }
    insert = upsert_statement(conn, app_state, ["scope"], None).values(row)
    if conn.execute(insert.returning(app_state.c.scope)).first() is not None:
        return True  # (RETURNING, not rowcount: psycopg reports none for DO NOTHING inserts)
    values = {k: v for k, v in row.items() if k != "scope"}
    changed = conn.execute(
        update(app_state)
        .where(app_state.c.scope == SCOPE, app_state.c.condition != condition)
        .values(**values)
    )
    return changed.rowcount == 1


def claim_probe(conn: Connection, *, due: datetime, next_probe_at: datetime, now: datetime) -> bool:
    """Take the probe due at ``due`` (True: this caller sends it; nobody else will)."""
    result = conn.execute(
        update(app_state)
        .where(app_state.c.scope == SCOPE, app_state.c.next_probe_at == due)
        .values(
            next_probe_at=next_probe_at,
            probes=app_state.c.probes + 1,
            last_probe_at=now,
            updated_at=now,
        )
    )
    return result.rowcount == 1


def probe_now(conn: Connection, now: datetime) -> bool:
    """An operator asks for the next probe at once (False: no state holds)."""
    result = conn.execute(
        update(app_state)
        .where(app_state.c.scope == SCOPE)
        .values(next_probe_at=now, updated_at=now)
    )
    return result.rowcount == 1


def clear(conn: Connection) -> bool:
    return conn.execute(delete(app_state).where(app_state.c.scope == SCOPE)).rowcount == 1
