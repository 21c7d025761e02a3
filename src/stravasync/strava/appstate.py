"""App-level Strava states: one state for the whole application, not one failure per athlete.

Two conditions stop every request: Strava answers 403 for the application (``ApplicationInactive``:
no API subscription, or the app is otherwise disabled), or it rejects our client id / secret
(``InvalidClient``: a revoked or mistyped secret). Either one is recorded ONCE in the database
(``app_state``), with one log line and one ``app.suspended`` notification to the owning app. While
it holds, :class:`AppGate` refuses every request before it is reserved or sent
(:class:`AppSuspended`, a :class:`Deferred`: the work waits without spending an attempt), except
one probe per due time: ``GET /api/v3/push_subscriptions`` with the client credentials, which
needs no athlete and answers 403 / 401 for exactly these two conditions. Probes back off from 1
minute to 15 (at most 96 requests a day). A probe that succeeds clears the state: one log line,
one ``app.resumed`` notification, and the request that carried it goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from stravasync.store import Database
from stravasync.store.operator import appstate as state_q
from stravasync.store.operator.appstate import AppState
from stravasync.store.pending import outbox
from stravasync.strava.errors import (
    ApplicationInactive,
    AppSuspended,
    InvalidClient,
    StravaError,
)
from stravasync.strava.platform import INACTIVE_HELP

log = logging.getLogger(__name__)

PROBE_FIRST = timedelta(minutes=1)
PROBE_MAX = timedelta(minutes=15)
HELP = {
    "application_inactive": INACTIVE_HELP,
    "invalid_client": (
        "Strava rejects the application's client id / secret: set STRAVASYNC_CLIENT_ID and "
        "STRAVASYNC_CLIENT_SECRET to the values on strava.com/settings/api and restart"
    ),
}


def condition_of(exc: StravaError) -> str | None:
    """The app-level condition ``exc`` reveals, if any (pure)."""
    if isinstance(exc, ApplicationInactive):
        return "application_inactive"
    if isinstance(exc, InvalidClient):
        return "invalid_client"
    return None


def reason_of(condition: str, exc: StravaError) -> str:
    detail = exc.detail if isinstance(exc, ApplicationInactive) else ""
    return HELP[condition] + (f" (Strava: {detail})" if detail else "")


def probe_delay(probes: int) -> timedelta:
    """Wait before the next probe after ``probes`` probes (1, 2, 4, 8 minutes, then 15)."""
    return min(PROBE_MAX, PROBE_FIRST * (1 << min(probes, 10)))


def suspended(state: AppState, retry_at: datetime | None = None) -> AppSuspended:
    return AppSuspended(state.condition, state.reason, retry_at or state.next_probe_at)


class AppGate:
    """The database-backed gate every Strava request of a deployment passes.

    ``notify``: write the ``app.suspended`` / ``app.resumed`` notifications (the owning app has
    an endpoint configured).
    """

    def __init__(self, db: Database, *, notify: bool = False) -> None:
        self.db = db
        self.notify = notify

    def current(self) -> AppState | None:
        with self.db.engine.connect() as conn:
            return state_q.get(conn)

    def admit(self, now: datetime, probe: Callable[[], object]) -> None:
        """Return when a request may be sent; raise :class:`AppSuspended` otherwise.

        When the state's probe is due, this caller claims it and runs ``probe`` (one request,
        sent without passing this gate): success clears the state and admits the caller.
        """
        state = self.current()
        if state is None:
            return
        if state.next_probe_at > now:
            raise suspended(state)
        following = now + probe_delay(state.probes + 1)
        with self.db.transaction() as conn:
            claimed = state_q.claim_probe(
                conn, due=state.next_probe_at, next_probe_at=following, now=now
            )
        if not claimed:  # another caller took this probe
            raise suspended(state, following)
        try:
            probe()
        except StravaError as exc:
            condition = condition_of(exc)
            if condition is not None and condition != state.condition:
                raise self.trip(exc, now) from None
            log.debug("app-level probe failed (%s): %s", state.condition, exc)
            raise suspended(state, following) from None
        self.clear(now)

    def trip(self, exc: StravaError, now: datetime) -> AppSuspended:
        """Record the condition ``exc`` reveals (once) and return the error to raise."""
        condition = condition_of(exc)
        if condition is None:
            raise ValueError(f"not an app-level condition: {exc!r}")
        reason = reason_of(condition, exc)
        first = now + PROBE_FIRST
        with self.db.transaction() as conn:
            entered = state_q.enter(
                conn, condition=condition, reason=reason, next_probe_at=first, now=now
            )
            if entered and self.notify:
                payload = {"condition": condition, "reason": reason, "since": now.isoformat()}
                outbox.enqueue(
                    conn,
                    event="app.suspended",
                    athlete_id=None,
                    activity_id=None,
                    payload=payload,
                    now=now,
                )
            state = state_q.get(conn)
        if entered:
            log.error(
                "Strava application suspended: no request is sent until a probe succeeds: %s",
                reason,
                extra={"condition": condition, "next_probe_at": first.isoformat()},
            )
        if state is None:  # cleared in between by a successful probe elsewhere
            return AppSuspended(condition, reason, now)
        return suspended(state)

    def clear(self, now: datetime) -> bool:
        """End the state (a probe succeeded): one log line, one ``app.resumed``."""
        with self.db.transaction() as conn:
            state = state_q.get(conn, lock=True)
            removed = state_q.clear(conn)
            if removed and state is not None and self.notify:
                payload = {
                    "condition": state.condition,
                    "since": state.since.isoformat(),
                    "resumed_at": now.isoformat(),
                    "probes": state.probes,
                }
                outbox.enqueue(
                    conn,
                    event="app.resumed",
                    athlete_id=None,
                    activity_id=None,
                    payload=payload,
                    now=now,
                )
        if removed and state is not None:
            log.warning(
                "Strava application resumed after %s (%s, %d probe(s))",
                now - state.since,
                state.condition,
                state.probes,
                extra={"condition": state.condition},
            )
        return removed

    def probe_soon(self, now: datetime) -> bool:
        """An operator's "probe now": the next request carries the probe (False: no state)."""
        with self.db.transaction() as conn:
            return state_q.probe_now(conn, now)
