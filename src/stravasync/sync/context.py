"""What a running pass needs: the database, the Strava port, tokens, time and its lease."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection

from stravasync.clock import Clock
from stravasync.errors import StravaSyncError
from stravasync.store import Database
from stravasync.store.pending import sessions as sessions_q
from stravasync.store.pending import syncstate
from stravasync.strava.errors import TokenRefused, TokenRevoked, Unauthorized
from stravasync.strava.quota.ratelimit import Priority
from stravasync.sync.config import EngineConfig
from stravasync.sync.outcomes.progress import Goal, PageHook
from stravasync.sync.port import StravaPort

log = logging.getLogger(__name__)

T = TypeVar("T")
TOKEN_REFRESHES = 3  # refreshes after a 401 per unit of work (a pass, an event)


class TokenSource(Protocol):
    """Tokens for a unit of work; a refresh they need is spent at the work's ``priority``."""

    def access_token(self, athlete_id: int, now: datetime, *, priority: Priority) -> str: ...

    def handle_unauthorized(
        self, athlete_id: int, failed_token: str, *, priority: Priority
    ) -> str: ...

    def confirm_revoked(self, athlete_id: int) -> bool: ...

    def revoke_held(self, athlete_id: int) -> bool: ...


class LeaseLost(StravaSyncError):
    """Our lease on an athlete expired and was taken over; stop without writing."""

    def __init__(self, athlete_id: int) -> None:
        super().__init__(f"lease on athlete {athlete_id} lost")
        self.athlete_id = athlete_id


class StopRequested(StravaSyncError):
    """The run reached its deadline or call cap, or the process is shutting down; the pass
    stops cleanly at a page boundary (its last checkpoint kept, the lease released)."""

    def __init__(self, athlete_id: int) -> None:
        super().__init__(f"run limit or shutdown while syncing athlete {athlete_id}")
        self.athlete_id = athlete_id


class Cancelled(StravaSyncError):
    """A person asked to stop this athlete's sync (checked between pages)."""

    def __init__(self, athlete_id: int) -> None:
        super().__init__(f"sync of athlete {athlete_id} cancelled")
        self.athlete_id = athlete_id


@dataclass(slots=True)
class PassContext:
    db: Database
    cfg: EngineConfig
    port: StravaPort
    tokens: TokenSource
    clock: Clock
    athlete_id: int
    owner: str
    session_id: str
    token: str = ""
    should_stop: Callable[[], bool] = lambda: False
    priority: Priority = Priority.INTERACTIVE  # the class a token refresh of this work spends
    on_page: PageHook | None = None  # (mode, athlete id, activities, goal)
    started: float = 0.0  # time.monotonic() at the pass's start
    port_before: dict[str, float] = field(default_factory=dict)  # the port's stage seconds
    measured: dict[str, float] = field(default_factory=dict)  # stages timed by the runner

    def now(self) -> datetime:
        return self.clock.now()

    def checkpoint(self, conn: Connection, values: dict[str, Any]) -> None:
        """Write progress and renew the lease in the caller's transaction, or raise LeaseLost."""
        now = self.now()
        values = {
            **values,
            "lease_expires_at": now + timedelta(seconds=self.cfg.lease),
            "updated_at": now,
        }
        if not syncstate.update_state(conn, self.athlete_id, self.owner, values):
            raise LeaseLost(self.athlete_id)

    @property
    def watched(self) -> bool:
        """Whether someone watches the run's progress (the CLI on a terminal)."""
        return self.on_page is not None

    def page_done(self, mode: str, activities: int, goal: Goal | None = None) -> None:
        """Tell whoever watches the run (the CLI's progress) that a page was applied."""
        if self.on_page is not None:
            self.on_page(mode, self.athlete_id, activities, goal)

    def between_pages(self) -> None:
        """Raise Cancelled if a person asked to stop, StopRequested at the run's limit or a
        shutdown."""
        if self.should_stop():
            raise StopRequested(self.athlete_id)
        with self.db.engine.connect() as conn:
            if syncstate.cancel_requested(conn, self.athlete_id):
                raise Cancelled(self.athlete_id)

    def log(self, conn: Connection, message: str, level: str = "info", **meta: Any) -> None:
        sessions_q.add_log(
            conn,
            self.session_id,
            level=level,
            message=message,
            now=self.now(),
            athlete_id=self.athlete_id,
            metadata=meta or None,
        )
        log.log(
            logging.getLevelName(level.upper()) if level != "success" else logging.INFO,
            message,
            extra={"athlete_id": self.athlete_id, "session_id": self.session_id, **meta},
        )


def run_authorized(
    ctx: PassContext, work: Callable[[bool], T], *, refreshes: int = TOKEN_REFRESHES
) -> T:
    """``work(resumed)`` with ``ctx.token``; after a 401, a new token and ``work(True)`` again.

    A 401 for a token we believed valid is an expiry far more often than a lost authorization:
    Strava's clock runs ahead of ours, or the work outlived the token (each refresh can meet the
    same fate). So every 401 gets a new token from ``handle_unauthorized``; only a rejected
    refresh token (:class:`TokenRevoked`) means the athlete must reconnect. Since the refresh
    worked, giving up after ``refreshes`` rounds, or when Strava hands back the very token it
    refused, raises :class:`TokenRefused`: retried later, the athlete stays active.
    """
    done = 0
    resumed = False
    while True:
        try:
            return work(resumed)
        except Unauthorized as exc:
            refused = ctx.token
            if isinstance(exc, TokenRevoked) or not refused:
                raise
            if done >= refreshes:
                raise TokenRefused(ctx.athlete_id, done) from exc
            ctx.token = ctx.tokens.handle_unauthorized(
                ctx.athlete_id, refused, priority=ctx.priority
            )
            done += 1
            if ctx.token == refused:
                raise TokenRefused(ctx.athlete_id, done) from exc
            log.info(
                "access token refused: retrying with a new one",
                extra={"athlete_id": ctx.athlete_id, "session_id": ctx.session_id},
            )
            resumed = True
