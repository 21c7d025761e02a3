"""Group commit for the webhook inbox.

Concurrent webhook requests hand their event to one writer; the writer commits everything that
arrived while the previous transaction ran in a single transaction, then answers each request.
A request is still answered only after its own event is committed (nothing acknowledged is ever
lost), but a burst costs one commit per batch instead of one per event, and requests queue in
order instead of spinning on SQLite's busy handler. An event the database refuses fails alone:
the batch is written again with a savepoint per event, and every other event is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from stravasync.store import Database, inbox
from stravasync.store import admin as admin_q
from stravasync.sync.settings import WEBHOOK_SUBSCRIPTION_KEY

log = logging.getLogger(__name__)

Outcome = Literal["stored", "duplicate", "ignored"]
MAX_BATCH = 500


class EventRefused(Exception):
    """The database refused this one event while it stored the others of its batch (a value
    it cannot hold): a bad event, not an outage. ``reason`` names the error type only."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the database refused this event ({reason})")
        self.reason = reason


Result = Outcome | EventRefused


def _store(conn: Connection, known: int | None, event: inbox.InboxEvent, now: datetime) -> Outcome:
    if known is None or known != event.subscription_id:
        return "ignored"
    return "stored" if inbox.insert_event(conn, event, now=now) else "duplicate"


def _known(conn: Connection) -> int | None:
    value = admin_q.get_setting(conn, WEBHOOK_SUBSCRIPTION_KEY)
    return None if value is None else int(value)


def write_batch(db: Database, events: list[inbox.InboxEvent], now: datetime) -> list[Result]:
    """Store ``events``; one result per event, in order.

    One transaction for the batch; if it fails, once more with a savepoint per event, so an
    event the database refuses fails alone and every other is stored. An error that is not
    about one event (the database is gone) still raises, for the whole batch.
    """
    try:
        with db.transaction() as conn:
            known = _known(conn)
            return [_store(conn, known, event, now) for event in events]
    except Exception as exc:
        reason = type(exc).__name__
        log.warning("inbox batch of %d events failed (%s): one by one", len(events), reason)
    out: list[Result] = []
    with db.transaction() as conn:
        known = _known(conn)
        for event in events:
            try:
                with conn.begin_nested():
                    out.append(_store(conn, known, event, now))
            except (SQLAlchemyError, ValueError, OverflowError) as exc:
                out.append(EventRefused(type(exc).__name__))
    return out


class InboxWriter:
    """One per app. ``submit`` returns once the event's transaction has committed."""

    def __init__(self, db: Database, now: Callable[[], datetime], *, max_batch: int = MAX_BATCH):
        self.db = db
        self.now = now
        self.max_batch = max_batch
        self._pending: list[tuple[inbox.InboxEvent, asyncio.Future[Outcome]]] = []
        self._flushing = False

    async def submit(self, event: inbox.InboxEvent) -> Outcome:
        """The event's outcome once committed; raises :class:`EventRefused` for an event the
        database would not store, any other error when nothing of its batch could be."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                try:
                    outcomes = await run_in_threadpool(
                        write_batch, self.db, [e for e, _ in batch], self.now()
                    )
                except Exception as exc:
                    log.error("inbox write of %d events failed: %s", len(batch), type(exc).__name__)
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():
                        continue
                    if isinstance(outcome, EventRefused):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            self._flushing = False
