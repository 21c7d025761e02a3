"""Per-athlete sync state: claiming a due athlete, reading the planner's view, writing results."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, exists, or_, select, update

from stravasync.clock import as_utc
from stravasync.store.pending import parking
from stravasync.store.schema import app_settings, athletes, sync_state
from stravasync.work import leases, skew

SCHEDULER_PAUSED_KEY = "scheduler_paused"


def scheduler_paused(conn: Connection) -> bool:
    value = conn.execute(
        select(app_settings.c.value_json).where(app_settings.c.key == SCHEDULER_PAUSED_KEY)
    ).scalar()
    return bool(value)


def athlete_active(*, auto: bool) -> ColumnElement[bool]:
    """The row's athlete is active (and, with ``auto``, synced automatically): one primary-key
    lookup per candidate row, so a claim never reads the whole athletes table."""
    cond = [athletes.c.id == sync_state.c.athlete_id, athletes.c.status == "active"]
    if auto:
        cond.append(athletes.c.auto_sync.is_(True))
    return exists().where(*cond)


def claim_due_athlete(
    conn: Connection,
    *,
    owner: str,
    now: datetime,
    lease_seconds: float,
    automatic: bool,
    athlete_id: int | None = None,
) -> dict[str, Any] | None:
    """Lease the most urgent due athlete; ``automatic=False`` claims only requested work.

    Order: work a person asked for, then athletes still waiting for their newest page
    (breadth first across new athletes), then the longest overdue, then (among equally due
    athletes) the smallest mirror first. Each order is one query served by its own partial
    index (store.schema), taking the first eligible row: the cost of a claim grows with the
    log of the athletes, not with their number (bench/REPORT.md, scale). The automatic orders
    read only unparked rows (store.parking): disconnected, blocked and opted-out athletes are
    not in their indexes; the athlete's status is still checked per candidate.
    """
    alive = sync_state.c.dead.is_(False)
    live = [alive, sync_state.c.parked.is_(False)]
    if athlete_id is not None:
        requested = sync_state.c.requested_mode.is_not(None)
        cond = [alive, sync_state.c.athlete_id == athlete_id, athlete_active(auto=False)]
        if not automatic:
            cond.append(requested)
        return _claim_one(conn, owner, now, lease_seconds, cond)
    # a person asked for it: claimed even when the athlete opted out of automatic sync
    orders: list[tuple[list[ColumnElement[bool]], list[Any]]] = [
        ([alive, sync_state.c.requested_mode.is_not(None), athlete_active(auto=False)], [])
    ]
    if automatic:
        orders += [
            (
                [
                    sync_state.c.backfill_done.is_(False),
                    sync_state.c.backfill_before.is_(None),
                    *live,
                    athlete_active(auto=True),
                ],
                [],
            ),
            # Among athletes released together (a budget reopening gives them one due time),
            # the smallest mirrors first: an athlete whose newest page was short needs one
            # more call to be complete. Finishing the nearly-done first completes more
            # histories per window, and fewer are left waiting over a daily reset (each of
            # those then costs a token refresh as well).
            ([*live, athlete_active(auto=True)], [sync_state.c.activity_count]),
        ]
    for cond, then_by in orders:
        row = _claim_one(conn, owner, now, lease_seconds, cond, then_by)
        if row is not None:
            return row
    return None


def _claim_one(
    conn: Connection,
    owner: str,
    now: datetime,
    lease_seconds: float,
    where: list[ColumnElement[bool]],
    then_by: list[Any] | None = None,
) -> dict[str, Any] | None:
    rows = leases.claim(
        conn,
        sync_state,
        key="athlete_id",
        owner=owner,
        now=now,
        lease_seconds=lease_seconds,
        where=where,
        then_by=then_by or (),
    )
    return rows[0] if rows else None


def get_state(conn: Connection, athlete_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(sync_state).where(sync_state.c.athlete_id == athlete_id)).mappings()
    first = row.first()
    return dict(first) if first else None


def update_state(conn: Connection, athlete_id: int, owner: str, values: dict[str, Any]) -> bool:
    """Write progress while holding the lease (False: the lease was lost)."""
    result = conn.execute(
        update(sync_state)
        .where(and_(sync_state.c.athlete_id == athlete_id, sync_state.c.lease_owner == owner))
        .values(**values)
    )
    return result.rowcount == 1


def set_activity_count(conn: Connection, athlete_id: int, count: int) -> None:
    """The athlete's live activity count, written where a change lands outside a pass (a
    webhook-confirmed create or delete), so it agrees with the admin answer at once."""
    conn.execute(
        update(sync_state).where(sync_state.c.athlete_id == athlete_id).values(activity_count=count)
    )


def record_error(conn: Connection, athlete_id: int, error: str, now: datetime) -> None:
    """Show a failure on the athlete (status, admin API, dashboard, metrics) without touching
    their schedule: for units that are not the athlete's own pass (a webhook event)."""
    conn.execute(
        update(sync_state)
        .where(sync_state.c.athlete_id == athlete_id)
        .values(last_error=error[:500], last_error_at=now)
    )


def request_mode(
    conn: Connection,
    athlete_id: int,
    mode: str,
    now: datetime,
    *,
    options: dict[str, Any] | None = None,
) -> bool:
    """Ask for a mode now (admin, CLI, event): clears a dead letter and the attempt count.

    ``backfill`` restarts the history from the newest page; ``options`` (``since_days``,
    ``all`` or ``activity_ids`` for enrich) become the mode's starting checkpoint.
    """
    values: dict[str, Any] = {
        "requested_mode": mode,
        "due_at": now,
        "dead": False,
        "attempts": 0,
        "cancel_requested": False,
        "updated_at": now,
        "checkpoint_json": {"mode": mode, **options} if options else None,
    }
    if mode == "backfill":
        values.update(backfill_done=False, backfill_before=None)
    result = conn.execute(
        update(sync_state).where(sync_state.c.athlete_id == athlete_id).values(**values)
    )
    return result.rowcount == 1


def request_cancel(conn: Connection, athlete_id: int, now: datetime) -> bool:
    result = conn.execute(
        update(sync_state)
        .where(sync_state.c.athlete_id == athlete_id)
        .values(cancel_requested=True, updated_at=now)
    )
    return result.rowcount == 1


def cancel_requested(conn: Connection, athlete_id: int) -> bool:
    value = conn.execute(
        select(sync_state.c.cancel_requested).where(sync_state.c.athlete_id == athlete_id)
    ).scalar()
    return bool(value)


def mark_enrich_pending(conn: Connection, athlete_id: int, now: datetime) -> None:
    conn.execute(
        update(sync_state)
        .where(sync_state.c.athlete_id == athlete_id)
        .values(
            enrich_pending=True,
            due_at=case((sync_state.c.due_at > now, now), else_=sync_state.c.due_at),
        )
    )


def next_due_at(
    conn: Connection, *, automatic: bool, athlete_id: int | None = None
) -> datetime | None:
    """The earliest time any athlete can be claimed (for the service loop's sleep): its due
    time, or the end of another process's lease on it. Same eligibility as the claim: the
    requested rows, and (``automatic``) the unparked ones, each read from its own index."""
    alive = sync_state.c.dead.is_(False)
    one: list[ColumnElement[bool]] = []
    if athlete_id is not None:
        one.append(sync_state.c.athlete_id == athlete_id)
    requested = [alive, sync_state.c.requested_mode.is_not(None), *one]
    found = [
        leases.next_claimable(conn, sync_state, where=[*requested, athlete_active(auto=False)])
    ]
    if automatic:  # ordered as the claim's last order, so it reads that order's partial index
        unparked = [alive, sync_state.c.parked.is_(False), *one, athlete_active(auto=True)]
        found.append(
            leases.next_claimable(
                conn, sync_state, where=unparked, then_by=[sync_state.c.activity_count]
            )
        )
    present = [t for t in found if t is not None]
    return min(present) if present else None


def defer_waiting(conn: Connection, *, modes: list[str], until: datetime, now: datetime) -> int:
    """Move every athlete waiting for one of ``modes`` (not leased, not requested) to ``until``.

    When the budget refuses one pass of a class, every other athlete due for that class (or a
    lower one) would be refused too; moving them all at once avoids a thundering herd of
    claims that each end in the same refusal.
    """
    result = conn.execute(
        update(sync_state)
        .where(
            and_(
                sync_state.c.due_at < until,
                sync_state.c.requested_mode.is_(None),
                sync_state.c.next_mode.in_(modes),
                sync_state.c.dead.is_(False),
                or_(sync_state.c.lease_owner.is_(None), sync_state.c.lease_expires_at < now),
            )
        )
        .values(due_at=until)
    )
    return int(result.rowcount)


def backfill_owed(conn: Connection) -> bool:
    """Whether any active athlete's summary history is still incomplete: the first row of a
    partial index holding only unparked, live, unfinished histories (one probe)."""
    stmt = (
        select(sync_state.c.athlete_id)
        .where(
            sync_state.c.backfill_done.is_(False),
            sync_state.c.dead.is_(False),
            sync_state.c.parked.is_(False),
            athlete_active(auto=True),
        )
        .order_by(sync_state.c.athlete_id)
    )
    return conn.execute(stmt.limit(1)).first() is not None


def active_count(conn: Connection) -> int:
    """Athletes the scheduler syncs automatically (active, not opted out): the unparked
    tally (store.parking), one row read."""
    return parking.unparked_count(conn)


def repair_future(conn: Connection, now: datetime, tolerance: float) -> list[int]:
    """Undo what processes whose clocks ran ahead wrote (issue 25); the athletes repaired.

    A row updated later than ``now`` + ``tolerance`` seconds was written by such a process: its
    due time and lease expiry move back by that process's lead (``updated_at`` - ``now``), the
    ``last_*`` times are clamped to ``now``. Rows written by agreeing clocks are untouched.
    """
    ahead = now + timedelta(seconds=tolerance)
    rows = conn.execute(
        select(
            sync_state.c.athlete_id,
            sync_state.c.updated_at,
            sync_state.c.due_at,
            sync_state.c.lease_expires_at,
            *(sync_state.c[c] for c in _LAST_TIMES),
        ).where(sync_state.c.updated_at > ahead)
    ).mappings()
    repaired: list[int] = []
    for row in list(rows):
        values: dict[str, Any] = {
            "due_at": skew.undo_shift(row["due_at"], row["updated_at"], now),
            "lease_expires_at": skew.undo_shift(row["lease_expires_at"], row["updated_at"], now),
            "updated_at": now,
        }
        for column in _LAST_TIMES:
            if row[column] is not None and as_utc(row[column]) > ahead:
                values[column] = now
        conn.execute(
            update(sync_state).where(sync_state.c.athlete_id == row["athlete_id"]).values(values)
        )
        repaired.append(int(row["athlete_id"]))
    return repaired


_LAST_TIMES = (
    "last_incremental_at",
    "last_refresh_at",
    "last_reconcile_at",
    "last_success_at",
    "last_error_at",
    "first_synced_at",
)


def undo_deferral(conn: Connection, *, since: datetime, until: datetime, now: datetime) -> int:
    """Make athletes due now whose due time (in [``since``, ``until``], later than ``now``) may
    come from a refusal by a budget window a skewed clock wrote in the future (that window's
    span): :func:`defer_waiting` moved them there. Those that must wait are deferred again, to
    the repaired window's time, by the next refusal. Leased rows are left alone."""
    result = conn.execute(
        update(sync_state)
        .where(
            and_(
                sync_state.c.due_at > now,
                sync_state.c.due_at >= since,
                sync_state.c.due_at <= until,
                sync_state.c.lease_owner.is_(None),
            )
        )
        .values(due_at=now)
    )
    return int(result.rowcount)
