"""Parking: athletes the scheduler cannot sync automatically leave the claim's indexes.

An athlete who is not ``active`` (reconnect needed, deauthorized, blocked) or who opted out of
automatic sync (``auto_sync`` off) is *parked*: ``sync_state.parked`` is true, and the partial
indexes the claim and the planning questions walk (store.tables_work) leave the row out, so a
claim never steps over the due rows of athletes nobody will sync. Work a person asks for is
still claimed (the requested order reads its own index and checks the athlete's status).

Every change of ``athletes.status`` or ``auto_sync`` goes through :func:`repark` in the same
transaction (store.athletes). Unparking makes the athlete due now (or keeps an earlier due
time). The ``unparked`` tally counts the athletes synced automatically, kept as rows park and
unpark, so asking for it costs one primary-key read, not a count of every athlete.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, case, func, insert, select, update

from stravasync.store.schema import athletes, sync_state, sync_tallies

UNPARKED = "unparked"


def should_park(status: str | None, auto_sync: bool | None) -> bool:
    """Whether an athlete in ``status`` with ``auto_sync`` stays out of the automatic claim."""
    return status != "active" or not auto_sync


def repark(conn: Connection, athlete_id: int, now: datetime) -> bool | None:
    """Park or unpark ``athlete_id`` to match their athlete row; the parked flag now (None: no
    sync state). Unparking makes them due now at the latest and counts them in the tally."""
    row = conn.execute(
        select(athletes.c.status, athletes.c.auto_sync).where(athletes.c.id == athlete_id)
    ).first()
    park = should_park(row.status if row else None, row.auto_sync if row else None)
    state = select(sync_state.c.parked).where(sync_state.c.athlete_id == athlete_id)
    if conn.dialect.name == "postgresql":
        state = state.with_for_update()
    was = conn.execute(state).scalar()
    if was is None:
        return None
    if bool(was) == park:
        return park
    values: dict[str, object] = {"parked": park, "updated_at": now}
    if not park:
        due = sync_state.c.due_at
        values["due_at"] = case((and_(due.is_not(None), due <= now), due), else_=now)
    conn.execute(update(sync_state).where(sync_state.c.athlete_id == athlete_id).values(values))
    _add(conn, -1 if park else 1)
    return park


def forget(conn: Connection, athlete_id: int) -> None:
    """Before deleting ``athlete_id``'s sync state: an unparked row leaves the tally."""
    was = conn.execute(
        select(sync_state.c.parked).where(sync_state.c.athlete_id == athlete_id)
    ).scalar()
    if was is not None and not was:
        _add(conn, -1)


def unparked_count(conn: Connection) -> int:
    """Athletes synced automatically (one row read; counted once if the tally is missing)."""
    value = conn.execute(
        select(sync_tallies.c.value).where(sync_tallies.c.name == UNPARKED)
    ).scalar()
    return recount(conn) if value is None else max(0, int(value))


def recount(conn: Connection) -> int:
    """Set the tally from the rows (a migration, a bulk load, a repair); returns it."""
    n = int(
        conn.execute(
            select(func.count()).select_from(sync_state).where(sync_state.c.parked.is_(False))
        ).scalar_one()
    )
    done = conn.execute(
        update(sync_tallies).where(sync_tallies.c.name == UNPARKED).values(value=n)
    ).rowcount
    if not done:
        conn.execute(insert(sync_tallies).values(name=UNPARKED, value=n))
    return n


def _add(conn: Connection, delta: int) -> None:
    done = conn.execute(
        update(sync_tallies)
        .where(sync_tallies.c.name == UNPARKED)
        .values(value=sync_tallies.c.value + delta)
    ).rowcount
    if not done:
        recount(conn)  # the row itself is already counted
