"""The simulated platform year: Strava as served in 2026, or as announced for mid-2027.

- ``2026``: one origin serves ``/api/v3/*`` and ``/oauth/*`` (tokens also accepted in a query
  string or a form body, ``POST /oauth/deauthorize`` answers).
- ``2027``: the API is served on its own origin without ``/api/v3`` (another port; in-process,
  the host :data:`API_HOST`), OAuth and ``/_sim`` on the main one; ``/oauth/deauthorize``
  answers 404 and a token in a query string or a form body answers 401.

Whatever the year, every request to a Strava path is noted in :class:`RequestLog` (which
origin, method, path, where its token travelled) for tests that audit what a client sends.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs

from stravasync.simulator.transport import ASGIApp, Receive, Scope, Send

PLATFORMS = ("2026", "2027")
API_HOST = "api-v3.sim.test"
"""The API origin's host for in-process clients of a 2027 simulator (``http://api-v3.sim.test``)."""
TOKEN_FIELDS = ("access_token",)


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    origin: str  # api | oauth (the main origin: OAuth and, in 2026, the API too)
    method: str
    path: str
    status: int
    bearer: bool  # an Authorization: Bearer header
    token_outside_header: bool  # access_token in the query string or the form body


def token_outside_header(query: bytes, body: bytes, content_type: str) -> bool:
    """Whether ``access_token`` travels in the query string or a form body (pure)."""
    fields = parse_qs(query.decode("latin-1"), keep_blank_values=True)
    if "application/x-www-form-urlencoded" in content_type:
        fields.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
    return any(name in fields for name in TOKEN_FIELDS)


class RequestLog:
    """The last ``size`` requests to Strava paths (both origins), oldest first."""

    def __init__(self, size: int = 50_000) -> None:
        self._items: deque[LoggedRequest] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, item: LoggedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def items(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(i) for i in self._items]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def dispatch_by_host(main: ASGIApp, api: ASGIApp, api_host: str = API_HOST) -> ASGIApp:
    """One ASGI app for in-process clients: requests to ``api_host`` go to ``api``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server") or ("", 0)
        target = api if scope["type"] == "http" and server[0] == api_host else main
        await target(scope, receive, send)

    return app
