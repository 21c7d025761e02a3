"""Secret checks: constant-time compare, and a limit on failed attempts per (realm, client).

Rules (docs/security.md explains why):

- a correct secret is never refused: the limiter only decides what a *wrong* one gets (401, or
  429 once the client has failed too often in that realm);
- every realm counts on its own (admin, login, api, cron, verify, connect): ten wrong admin
  tokens do not lock the same address out of the data API, and no realm locks out another;
- the client is the peer address, or the address a configured proxy forwarded
  (``STRAVASYNC_TRUSTED_PROXIES``, see :mod:`stravasync.web.edge`).

The limiter is in memory on purpose: it guards one process against guessing, and losing it on
restart loses nothing that matters. It holds at most ``max_clients`` keys, so rotating source
addresses cannot grow it without bound.
"""

from __future__ import annotations

import hmac
import threading
from collections import deque
from datetime import datetime, timedelta
from typing import Literal

from pydantic import SecretStr

Realm = Literal["admin", "login", "api", "cron", "verify", "connect", "metrics"]


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
    """At most ``max_failures`` events per key within ``window`` seconds (a sliding window).

    Keys are ``(realm, client)``. ``max_clients`` bounds memory: past it, expired keys are
    dropped first, then the oldest ones.
    """

    def __init__(
        self, *, max_failures: int = 10, window: float = 300.0, max_clients: int = 10_000
    ) -> None:
        self.max_failures = max_failures
        self.window = timedelta(seconds=window)
        self.max_clients = max_clients
        self._failures: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = threading.Lock()

    def _trim(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        q = self._failures.get(key)
        if q is None:
            if len(self._failures) >= self.max_clients:
                self._evict(now)
            q = self._failures[key] = deque()
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def _evict(self, now: datetime) -> None:
        horizon = now - self.window
        for key in [k for k, q in self._failures.items() if not q or q[-1] <= horizon]:
            del self._failures[key]
        while len(self._failures) >= self.max_clients:
            del self._failures[next(iter(self._failures))]

    def blocked_until(self, realm: str, client: str, now: datetime) -> datetime | None:
        """When ``client`` may fail again in ``realm``, or None if it is not blocked."""
        with self._lock:
            q = self._trim((realm, client), now)
            if len(q) >= self.max_failures:
                return q[0] + self.window
            return None

    def record_failure(self, realm: str, client: str, now: datetime) -> None:
        with self._lock:
            self._trim((realm, client), now).append(now)

    def tracked(self) -> int:
        """How many keys are held (for tests of the memory bound)."""
        with self._lock:
            return len(self._failures)


MIN_SECRET_LENGTH = 20
"""Below this a secret is guessable online: the limiter never refuses the right one, so a
guesser is slowed only by how many values there are to try."""


def short_secrets(secrets: dict[str, SecretStr | None]) -> list[str]:
    """The names of the set secrets shorter than :data:`MIN_SECRET_LENGTH` characters."""
    return [
        name
        for name, value in secrets.items()
        if value is not None and 0 < len(value.get_secret_value()) < MIN_SECRET_LENGTH
    ]


def retry_after(until: datetime, now: datetime) -> int:
    """Whole seconds until ``until``, at least 1 (the value of a ``Retry-After`` header)."""
    return max(int((until - now).total_seconds()) + 1, 1)
