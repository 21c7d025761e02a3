"""Bearer-token checks: constant-time compare and a limit on failed attempts per client.

The limiter is in memory on purpose: it guards one process against guessing, and losing it on
restart loses nothing that matters.
"""

from __future__ import annotations

import hmac
import threading
from collections import deque
from datetime import datetime, timedelta

from pydantic import SecretStr

ADMIN_COOKIE = "stravasync_admin"


def token_matches(given: str | None, expected: SecretStr | None) -> bool:
    """Constant-time comparison; an unset expected secret matches nothing."""
    if given is None or expected is None:
        return False
    secret = expected.get_secret_value()
    if not secret:
        return False
    return hmac.compare_digest(given.encode(), secret.encode())


def bearer_of(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class AttemptLimiter:
    """At most ``max_failures`` failed attempts per client within ``window`` seconds."""

    def __init__(self, *, max_failures: int = 10, window: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window = timedelta(seconds=window)
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def _trim(self, client: str, now: datetime) -> deque[datetime]:
        q = self._failures.setdefault(client, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked_until(self, client: str, now: datetime) -> datetime | None:
        """When ``client`` may try again, or None if it may try now."""
        with self._lock:
            q = self._trim(client, now)
            if len(q) >= self.max_failures:
                return q[0] + self.window
            return None

    def record_failure(self, client: str, now: datetime) -> None:
        with self._lock:
            self._trim(client, now).append(now)

    def reset(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
