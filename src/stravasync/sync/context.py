"""What a running pass needs: the database, the Strava port, tokens, time and its lease."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection

from stravasync.clock import Clock
from stravasync.errors import StravaSyncError
from stravasync.store import Database, syncstate
from stravasync.store import sessions as sessions_q
from stravasync.sync.config import EngineConfig
from stravasync.sync.port import StravaPort

log = logging.getLogger(__name__)


class TokenSource(Protocol):
    def access_token(self, athlete_id: int, now: datetime) -> str: ...

    def handle_unauthorized(self, athlete_id: int, failed_token: str) -> str: ...


class LeaseLost(StravaSyncError):
    """Our lease on an athlete expired and was taken over; stop without writing."""

    def __init__(self, athlete_id: int) -> None:
        super().__init__(f"lease on athlete {athlete_id} lost")
        self.athlete_id = athlete_id


class StopRequested(StravaSyncError):
    """The run reached its deadline or call cap; the pass stops cleanly at a page boundary."""

    def __init__(self, athlete_id: int) -> None:
        super().__init__(f"run limit reached while syncing athlete {athlete_id}")
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

    def between_pages(self) -> None:
        """Raise Cancelled if a person asked to stop, StopRequested at the run's limit."""
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
