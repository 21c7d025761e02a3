"""Group commit for the webhook inbox.

Concurrent webhook requests hand their event to one writer; the writer commits everything that
arrived while the previous transaction ran in a single transaction, then answers each request.
A request is still answered only after its own event is committed (nothing acknowledged is ever
lost), but a burst costs one commit per batch instead of one per event, and requests queue in
order instead of spinning on SQLite's busy handler.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from fastapi.concurrency import run_in_threadpool

from stravasync.store import Database, inbox
from stravasync.store import admin as admin_q
from stravasync.sync.settings import WEBHOOK_SUBSCRIPTION_KEY

log = logging.getLogger(__name__)

Outcome = Literal["stored", "duplicate", "ignored"]
MAX_BATCH = 500


def write_batch(db: Database, events: list[inbox.InboxEvent], now: datetime) -> list[Outcome]:
    """Store ``events`` in one transaction; one outcome per event, in order."""
    out: list[Outcome] = []
    with db.transaction() as conn:
        known = admin_q.get_setting(conn, WEBHOOK_SUBSCRIPTION_KEY)
        for event in events:
            if known is None or int(known) != event.subscription_id:
                out.append("ignored")
            elif inbox.insert_event(conn, event, now=now):
                out.append("stored")
            else:
                out.append("duplicate")
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
                    if not future.done():
                        future.set_result(outcome)
        finally:
            self._flushing = False
