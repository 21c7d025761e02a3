"""A create of an athlete whose creates and updates wait for their next listing is stored due
with them (store.inbox, store.event_reads.waiting_until): a flood's later events are not
claimed one by one only to be deferred, so they cost the engine no work that would delay other
athletes' events. Only a wait for the allowance counts (not a retry's backoff), and only
creates wait (an update may be an edit of a held activity: its own GET). Real SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from stravasync.store import Database
from stravasync.store.pending import event_reads as reads_q
from stravasync.store.pending.inbox import InboxEvent, insert_events
from stravasync.store.schema import webhook_events

NOW = datetime(2026, 4, 6, 9, 7, tzinfo=UTC)
SLOT = NOW + timedelta(seconds=25)
FLOODED, OTHER, RETRYING = 101, 202, 303


def event(owner: int, object_id: int, aspect: str = "create") -> InboxEvent:
    return InboxEvent("activity", object_id, aspect, owner, 7, 1_780_000_000 + object_id, {})


def due_of(db: Database) -> dict[int, datetime]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(webhook_events.c.object_id, webhook_events.c.due_at))
        return {int(object_id): due for object_id, due in rows}


def test_a_create_waits_with_its_athletes_deferred_events(db: Database) -> None:
    with db.transaction() as conn:
        insert_events(conn, [event(FLOODED, 1), event(FLOODED, 2), event(RETRYING, 3)], now=NOW)
        # the engine deferred the flooded athlete's events to their next listing slot...
        first = conn.execute(
            select(webhook_events.c.id).where(webhook_events.c.object_id == 1)
        ).scalar_one()
        reason = f"{reads_q.WAITING} {SLOT.isoformat()}"
        assert reads_q.defer_owner(conn, FLOODED, until=SLOT, but=first, reason=reason) == 1
        conn.execute(
            update(webhook_events)
            .where(webhook_events.c.id == first)
            .values(due_at=SLOT, last_error=reason)
        )
        # ...and another athlete's event waits for a retry after a Strava error
        conn.execute(
            update(webhook_events)
            .where(webhook_events.c.object_id == 3)
            .values(due_at=SLOT, last_error="Strava answered 502")
        )
        assert reads_q.waiting_until(conn, [FLOODED, OTHER, RETRYING], now=NOW) == {FLOODED: SLOT}
        later = NOW + timedelta(seconds=5)
        stored = insert_events(
            conn,
            [
                event(FLOODED, 10),  # a create of the flooded athlete: waits for the slot
                event(FLOODED, 11, "update"),  # an update: claimed at once
                event(OTHER, 12),
                event(RETRYING, 13),
            ],
            now=later,
        )
    assert stored == [True] * 4
    due = due_of(db)
    assert due[10] == SLOT
    assert (due[11], due[12], due[13]) == (later, later, later)
    # once the slot has passed, nothing waits any more
    with db.engine.connect() as conn:
        assert reads_q.waiting_until(conn, [FLOODED], now=SLOT) == {}
