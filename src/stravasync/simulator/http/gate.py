"""The ASGI layer in front of the Strava paths: rate limits, faults, headers, request counts.

/api/v3/* always counts against the limits; /oauth/token (and /api/v3/oauth/token) only with
``count_token_requests``; /_sim/* and the authorize page never. Every counted or limited response
carries the four rate-limit headers. On a 2027 simulator the API origin's app counts every path
(:func:`classify_api`), and a token in a query string or a form body answers 401 on both origins.
Every request to a Strava path is noted in the simulator's request log.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stravasync.simulator.platform import LoggedRequest, token_outside_header
from stravasync.simulator.responses import RATE_LIMITED, inactive_app, token_invalid
from stravasync.simulator.transport import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from stravasync.simulator.core import Simulator


def classify(path: str) -> str:
    """ "api" (counted, faults), "token" (maybe counted), "oauth" (not counted), "other"."""
    if path.startswith("/api/v3/oauth/") or path.startswith("/oauth/"):
        return "token" if path.endswith("/token") else "oauth"
    if path.startswith("/api/v3"):
        return "api"
    return "other"


def classify_api(path: str) -> str:
    """The 2027 API origin: every path but /_sim is the API (no ``/api/v3`` prefix)."""
    return "other" if path.startswith("/_sim") else "api"


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it on again."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


class Gate:
    """Wraps the FastAPI app; see the module docstring. ``origin``: ``api`` for the 2027 API
    origin's app, ``oauth`` for the main one; ``kind``: how paths are classified."""

    def __init__(
        self,
        app: ASGIApp,
        sim: Simulator,
        origin: str = "oauth",
        kind: Callable[[str], str] = classify,
    ) -> None:
        self.app = app
        self.sim = sim
        self.origin = origin
        self.kind = kind

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        kind = self.kind(path)
        if kind == "other":
            await self.app(scope, receive, send)
            return
        body, receive = await _buffered(receive)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        outside = token_outside_header(
            scope.get("query_string", b""), body, headers.get(b"content-type", b"").decode()
        )
        status = 0

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            if outside and self.sim.config.platform == "2027":
                err = token_invalid()
                await self._reply(
                    noted, err.status, err.body, self.sim.now(), scope["method"], path
                )
            else:
                await self._gated(scope, receive, noted, kind, path)
        finally:
            self.sim.request_log.add(
                LoggedRequest(
                    origin=self.origin,
                    method=scope["method"],
                    path=path,
                    status=status,
                    bearer=headers.get(b"authorization", b"").lower().startswith(b"bearer "),
                    token_outside_header=outside,
                )
            )

    async def _gated(
        self, scope: Scope, receive: Receive, send: Send, kind: str, path: str
    ) -> None:
        if kind == "oauth":
            await self.app(scope, receive, send)
            return
        sim = self.sim
        method: str = scope["method"]
        now = sim.now()
        fault = sim.faults.pick()
        if fault == "inactive":
            await self._reply(send, 403, inactive_app(), now, method, path)
            return
        counted = kind == "api" or sim.config.count_token_requests
        within = sim.limiter.hit(now) if counted else True
        if fault == "storm" or not within:
            await self._reply(send, 429, RATE_LIMITED, now, method, path)
            return
        delay = sim.faults.delay()
        if delay:
            await asyncio.sleep(delay)
        if fault == "hang":
            await asyncio.sleep(sim.faults.hang_seconds)
            await self._reply(
                send, 504, {"message": "Gateway Timeout", "errors": []}, now, method, path
            )
            return
        if fault == "5xx":
            status = sim.faults.rng.choice([500, 502, 503])
            await self._reply(send, status, {"message": "Error", "errors": []}, now, method, path)
            return
        await self._forward(scope, receive, send, now, method, path, fault == "malformed")

    async def _reply(
        self, send: Send, status: int, body: dict[str, Any], now: int, method: str, path: str
    ) -> None:
        raw = json.dumps(body, separators=(",", ":")).encode()
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(raw)).encode()),
            *self.sim.limiter.headers(now),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": raw})
        self.sim.requests.record(method, path, status)

    async def _forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        now: int,
        method: str,
        path: str,
        malformed: bool,
    ) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                status = int(start.get("status", 500))
                if malformed and status == 200 and body:
                    body = body[: max(1, len(body) * 2 // 3)]
                headers = [
                    (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
                ]
                headers += [
                    (b"content-length", str(len(body)).encode()),
                    *self.sim.limiter.headers(now),
                ]
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                self.sim.requests.record(method, path, status)
                return
            await send(message)

        await self.app(scope, receive, wrapped)
