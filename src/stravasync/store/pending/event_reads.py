"""What webhook events have read from Strava, and settling an athlete's events in bulk.

Each event row records the reads its processing spent that changed nothing in the mirror
(``unconfirmed_listings``, ``unconfirmed_reads``), when it last read (``read_at``) and when it
listed the athlete's latest activities (``listed_at``). The sums over the current quarter hour
and day (split into the clean and suspect pools) are the allowances
:mod:`stravasync.sync.planning.event_reads` decides on; the prune keeps at
least a day of rows (``STRAVASYNC_WEBHOOK_INBOX_RETENTION_DAYS`` >= 1).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, select, update

from stravasync.store.schema import webhook_events

_E = webhook_events.c
FINISHED = ("done", "ignored")  # what the retention prunes; dead events wait for an operator
WAITING = "unconfirmed-event reads spent until"
"""How the error of an event waiting for its athlete's next listing (or pool) begins."""


def spent(
    conn: Connection, owner_id: int, *, quarter_start: datetime, day_start: datetime
) -> dict[str, Any]:
    """This athlete's unconfirmed listings and reads since ``quarter_start`` and all its
    unconfirmed reads since ``day_start``; everyone's since ``quarter_start`` and
    ``day_start``, and of those the clean pool's: one per athlete with any today, counted in
    the quarter hour when the athlete's first falls in it; the athlete's last listing."""
    both = _E.unconfirmed_listings + _E.unconfirmed_reads
    mine = conn.execute(
        select(
            func.coalesce(func.sum(_E.unconfirmed_listings).filter(_E.read_at >= quarter_start), 0),
            func.coalesce(func.sum(_E.unconfirmed_reads).filter(_E.read_at >= quarter_start), 0),
            func.coalesce(func.sum(both), 0),
        ).where(_E.owner_id == owner_id, _E.read_at >= day_start)
    ).one()
    quarter, day = conn.execute(
        select(
            func.coalesce(func.sum(both).filter(_E.read_at >= quarter_start), 0),
            func.coalesce(func.sum(both), 0),
        ).where(_E.read_at >= day_start)
    ).one()
    firsts = (
        select(func.min(_E.read_at).label("first"))
        .where(_E.read_at >= day_start, both > 0)
        .group_by(_E.owner_id)
        .subquery()
    )
    clean_quarter, clean_day = conn.execute(
        select(func.count().filter(firsts.c.first >= quarter_start), func.count()).select_from(
            firsts
        )
    ).one()
    last = conn.execute(select(func.max(_E.listed_at)).where(_E.owner_id == owner_id)).scalar()
    return {
        "athlete_listings": int(mine[0]),
        "athlete_reads": int(mine[1]),
        "athlete_day": int(mine[2]),
        "quarter": int(quarter),
        "day": int(day),
        "clean_quarter": int(clean_quarter or 0),
        "clean_day": int(clean_day or 0),
        "last_listing": last,
    }


def record(
    conn: Connection,
    event_id: int,
    *,
    now: datetime,
    listed: bool = False,
    unconfirmed: bool = False,
) -> None:
    """Count one read of event ``event_id`` (a listing when ``listed``) at ``now``;
    ``unconfirmed``: it changed nothing in the mirror."""
    column = "unconfirmed_listings" if listed else "unconfirmed_reads"
    values: dict[str, Any] = {"read_at": now}
    if unconfirmed:
        values[column] = _E[column] + 1
    if listed:
        values["listed_at"] = now
    conn.execute(update(webhook_events).where(_E.id == event_id).values(**values))


def _pending_of(owner_id: int, *, but: int) -> ColumnElement[bool]:
    return and_(
        _E.owner_id == owner_id,
        _E.state == "pending",
        _E.object_type == "activity",
        _E.aspect_type.in_(("create", "update")),
        _E.id != but,
        _E.lease_owner.is_(None),
    )


def has_siblings(conn: Connection, owner_id: int, *, but: int) -> bool:
    """Whether the athlete has another pending create or update (any due time)."""
    stmt = select(_E.id).where(_pending_of(owner_id, but=but)).limit(1)
    return conn.execute(stmt).first() is not None


def settle_listed(
    conn: Connection, owner_id: int, object_ids: Collection[int], *, but: int, now: datetime
) -> int:
    """Mark the athlete's pending creates and updates that arrived by ``now`` and name an
    activity of the listing (``object_ids``) done: the listing answered for them."""
    if not object_ids:
        return 0
    stmt = (
        update(webhook_events)
        .where(
            _pending_of(owner_id, but=but),
            _E.received_at <= now,
            _E.object_id.in_(list(object_ids)),
        )
        .values(state="done", processed_at=now, last_error=None)
    )
    return int(conn.execute(stmt).rowcount or 0)


def ignore_covered(
    conn: Connection, owner_id: int, *, listed_at: datetime, but: int, now: datetime, reason: str
) -> int:
    """Ignore (without their body) the athlete's pending creates and updates that arrived
    before their last listing, which did not show them: nothing left to confirm them with."""
    stmt = (
        update(webhook_events)
        .where(_pending_of(owner_id, but=but), _E.received_at <= listed_at)
        .values(state="ignored", processed_at=now, last_error=reason, updates_json=None)
    )
    return int(conn.execute(stmt).rowcount or 0)


def defer_owner(conn: Connection, owner_id: int, *, until: datetime, but: int, reason: str) -> int:
    """Make the athlete's other pending creates and updates due at ``until`` (not sooner):
    they wait for the next listing together instead of being claimed one by one; ``reason``
    (beginning with :data:`WAITING`) lets the inbox make new creates wait with them."""
    stmt = (
        update(webhook_events)
        .where(_pending_of(owner_id, but=but), _E.due_at < until)
        .values(due_at=until, last_error=reason)
    )
    return int(conn.execute(stmt).rowcount or 0)


def waiting_until(
    conn: Connection, owner_ids: Collection[int], *, now: datetime
) -> dict[int, datetime]:
    """For each athlete whose creates and updates wait for their next listing (deferred by
    the allowance, due after ``now``), when they are due: a new create of theirs waits with
    them (the listing then answers for it too) instead of being claimed alone only to be
    deferred, so a flood's events cost no processing past one per listing."""
    if not owner_ids:
        return {}
    stmt = (
        select(_E.owner_id, func.max(_E.due_at))
        .where(
            _E.owner_id.in_(sorted(set(owner_ids))),
            _E.state == "pending",
            _E.object_type == "activity",
            _E.aspect_type.in_(("create", "update")),
            _E.due_at > now,
            _E.last_error.like(WAITING + "%"),
        )
        .group_by(_E.owner_id)
    )
    return {int(owner): due for owner, due in conn.execute(stmt).all() if due is not None}


def prune(conn: Connection, *, now: datetime, keep_days: float) -> int:
    """Delete processed and ignored events finished more than ``keep_days`` ago."""
    cutoff = now - timedelta(days=keep_days)
    stmt = delete(webhook_events).where(_E.state.in_(FINISHED), _E.processed_at < cutoff)
    return int(conn.execute(stmt).rowcount or 0)
