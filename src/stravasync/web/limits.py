"""Before a body is read: its size, and the credential of the route it is sent to.

FastAPI reads a request's whole body before it runs the route's dependencies, so without this a
client with no token could make the process hold hundreds of megabytes before its 401. The
:class:`RequestGuard` middleware runs first for every request:

- **size**: a ``Content-Length`` over the route's limit is ``413`` at once, unread; a streamed
  (chunked) body is counted as it arrives and cut with ``413`` at the limit. The limit is
  ``STRAVASYNC_HTTP_MAX_BODY_BYTES``, lower for the prefixes given (webhooks: 16 KiB);
- **credential**: for a route guarded by the admin token (or dashboard session), the API key or
  the cron secret, a request that does not carry a credential that would pass is handed to the
  app with an empty body: the route's own dependency then answers it (401, 403 or 429, counted
  by the attempt limiter as before) and the connection is closed, the body never read.

The credential check here is a pre-check with no side effects (no attempt is counted): it lets
through anything the route might accept, the route's dependency stays the only judge.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect, Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stravasync.clock import Clock
from stravasync.config import Settings
from stravasync.web import deps, session
from stravasync.web.auth import bearer_of, token_matches
from stravasync.web.failures import page, problem, wants_html

log = logging.getLogger(__name__)
BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})
Check = Callable[[Scope], bool]


def _bearer(scope: Scope) -> str | None:
    return bearer_of(Headers(scope=scope).get("authorization"))


def credential_checks(settings: Settings, clock: Clock) -> dict[Callable[..., Any], Check]:
    """For each guarding dependency of :mod:`stravasync.web.deps`, whether a request carries a
    credential it may accept (the dashboard session is enough for the admin realm: its CSRF
    token is for the route to check)."""

    def admin(scope: Scope) -> bool:
        given = _bearer(scope)
        if given is not None:
            return token_matches(given, settings.admin_token)
        return "session" in scope and session.is_admin(Request(scope), clock.now())

    return {
        deps.require_admin: admin,
        deps.require_api_key: lambda scope: token_matches(_bearer(scope), settings.api_key),
        deps.require_cron: lambda scope: token_matches(_bearer(scope), settings.cron_secret),
    }


def _calls(dependant: Any) -> set[Callable[..., Any]]:
    found = {dependant.call} if dependant.call is not None else set()
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


class RequestGuard:
    """Body size limits and the route's credential, before the app reads a body."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        checks: Mapping[Callable[..., Any], Check],
        max_body: int,
        prefix_limits: Mapping[str, int],
    ) -> None:
        self.app = app
        self.routes = routes
        self.checks = checks
        self.max_body = max_body
        self.prefix_limits = prefix_limits
        self._guards: dict[int, list[Check]] = {}

    def limit(self, path: str) -> int:
        limits = [n for prefix, n in self.prefix_limits.items() if path.startswith(prefix)]
        return min([self.max_body, *limits])

    def _route_checks(self, scope: Scope) -> list[Check]:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                key = id(route)
                if key not in self._guards:
                    dependant = getattr(route, "dependant", None)
                    calls = _calls(dependant) if dependant is not None else set()
                    self._guards[key] = [c for f, c in self.checks.items() if f in calls]
                return self._guards[key]
        return []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.limit(scope["path"])
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _answer_413(scope, receive, send, limit)
            return
        if scope["method"] in BODYLESS:  # no route reads it; the body deadline ends a long one
            await self.app(scope, receive, send)
            return
        has_body = (declared is not None and declared != "0") or "transfer-encoding" in headers
        checks = self._route_checks(scope) if has_body else []
        if checks and not any(check(scope) for check in checks):
            await self.app(scope, _empty_body, _closing(send))
            return
        await self._limited(scope, receive, send, limit)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        seen = 0
        started = False
        cut = False

        async def counting() -> Message:
            nonlocal seen, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    cut = True
                    if not started:
                        await _answer_413(scope, receive, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if cut:
                return  # the 413 is the answer; the app's own is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting, tracking)
        except ClientDisconnect:
            log.debug("client gone before its body was read: %s", scope["path"])
        except Exception:
            if not cut:
                raise  # the app's own failure; one that follows the cut is answered already


async def _empty_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _closing(send: Send) -> Send:
    """Ends the connection after the answer: the unread body is never drained."""

    async def closing(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message)["connection"] = "close"
        await send(message)

    return closing


async def _answer_413(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    detail = f"body too large (at most {limit} bytes)"
    close = {"connection": "close"}
    if wants_html(Request(scope)):
        response = page(413, "Request too large", detail, close)
    else:
        response = problem(413, detail, close)
    await response(scope, receive, send)
