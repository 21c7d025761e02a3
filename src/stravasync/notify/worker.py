"""The outbox delivery worker: claim due notifications, POST them signed, record the outcome.

At least once: a row is marked delivered only after a 2xx answer; a crash between the POST and
the mark means the receiver sees it again, with the same idempotency key.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from stravasync.clock import Clock, to_epoch
from stravasync.notify.policy import Decision, RetryPolicy, Verdict, decide
from stravasync.notify.signing import signed_headers
from stravasync.store import Database
from stravasync.store.pending import outbox

log = logging.getLogger(__name__)


def body_of(row: dict[str, Any]) -> bytes:
    """The JSON document POSTed for one outbox row (compact, keys sorted)."""
    created: datetime = row["created_at"]
    doc = {
        "id": row["idempotency_key"],
        "event": row["event"],
        "athlete_id": row["athlete_id"],
        "activity_id": row["activity_id"],
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "data": row["payload_json"],
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


@dataclass(slots=True)
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0


class Deliverer:
    """Delivers due outbox rows to ``url``. One per thread (it holds a lease owner id)."""

    def __init__(
        self,
        *,
        db: Database,
        url: str,
        secret: bytes,
        clock: Clock,
        owner: str,
        http: httpx.Client | None = None,
        timeout: float = 10.0,
        policy: RetryPolicy | None = None,
        lease_seconds: float = 120.0,
        rng: random.Random | None = None,
        on_outcome: Callable[[str], None] | None = None,
    ) -> None:
        self.db = db
        self.url = url
        self.secret = secret
        self.clock = clock
        self.owner = owner
        self.http = http or httpx.Client(timeout=timeout, follow_redirects=False)
        self.policy = policy or RetryPolicy()
        self.lease_seconds = lease_seconds
        self.rng = rng or random.Random()
        self.on_outcome = on_outcome

    def _post(self, row: dict[str, Any]) -> tuple[int | None, str | None]:
        body = body_of(row)
        headers = signed_headers(
            self.secret,
            timestamp=to_epoch(self.clock.now()),
            body=body,
            idempotency_key=row["idempotency_key"],
            event=row["event"],
        )
        try:
            resp = self.http.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        return resp.status_code, None

    def _record(self, row: dict[str, Any], status: int | None, decision: Decision) -> None:
        now = self.clock.now()
        with self.db.transaction() as conn:
            if decision.verdict is Verdict.DELIVERED:
                outbox.mark_delivered(
                    conn, row["id"], owner=self.owner, status=status or 0, now=now
                )
            else:
                outbox.mark_failed(
                    conn,
                    row["id"],
                    owner=self.owner,
                    error=decision.reason,
                    status=status,
                    retry_at=decision.retry_at,
                )
        if decision.verdict is not Verdict.DELIVERED:
            log.warning(
                "notification %s (%s) %s: %s",
                row["id"],
                row["event"],
                decision.verdict.value,
                decision.reason,
            )
        if self.on_outcome is not None:
            self.on_outcome(decision.verdict.value)

    def deliver_due(self, *, limit: int = 50) -> DeliveryReport:
        """Deliver what is due now (one claim of up to ``limit`` rows); burst mode for tests."""
        report = DeliveryReport()
        with self.db.transaction() as conn:
            rows = outbox.claim(
                conn,
                owner=self.owner,
                now=self.clock.now(),
                lease_seconds=self.lease_seconds,
                limit=limit,
            )
        for row in rows:
            status, error = self._post(row)
            decision = decide(
                status=status,
                error=error,
                attempt=int(row["attempts"]) + 1,
                now=self.clock.now(),
                policy=self.policy,
                rng=self.rng,
            )
            self._record(row, status, decision)
            if decision.verdict is Verdict.DELIVERED:
                report.delivered += 1
            elif decision.verdict is Verdict.RETRY:
                report.retried += 1
            else:
                report.dead += 1
        return report

    def run(
        self,
        stop: threading.Event,
        *,
        idle_seconds: float = 2.0,
        held: Callable[[], object] | None = None,
    ) -> None:
        """Deliver until ``stop`` is set; sleeps ``idle_seconds`` when nothing is due, or while
        ``held()`` is truthy (this process's clock disagrees with the database's)."""
        while not stop.is_set():
            if held is not None and held():
                stop.wait(idle_seconds)
                continue
            try:
                report = self.deliver_due()
            except Exception:
                log.exception("notification delivery loop failed; retrying")
                report = DeliveryReport()
            if report.delivered + report.retried + report.dead == 0:
                stop.wait(idle_seconds)

    def close(self) -> None:
        self.http.close()
