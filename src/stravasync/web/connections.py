"""What a client connection may hold: a cap on open connections and deadlines for each request.

uvicorn (h11) has a keep-alive timeout but no deadline for a request's headers or body: a client
that sends one header line every few seconds, or a body one byte at a time, holds its connection
(a file descriptor) forever. :func:`protocol_class` returns uvicorn's h11 protocol with

- a **connection cap**: at ``STRAVASYNC_HTTP_MAX_CONNECTIONS`` open connections a new one
  closes the oldest idle one (no request in progress: a slow client still sending its headers,
  or a kept-alive one), so a flood of idle connections cannot lock anyone out; when every
  connection is busy with a request, the new one is answered ``503`` with ``Retry-After`` and
  closed before anything is read;
- a **header deadline**: the request line and headers complete within
  ``STRAVASYNC_HTTP_HEADER_TIMEOUT`` seconds of the connection (or of the request's first byte on
  a kept-alive connection), however the bytes trickle in; else ``408`` and closed;
- a **body deadline**: the whole body within ``STRAVASYNC_HTTP_BODY_TIMEOUT`` seconds of the
  headers; else ``408`` (when no answer has started) and closed.

:func:`fit_file_limit` keeps the cap below the process's open-file limit, so refusing is what
happens under a flood, never ``EMFILE`` in the accept loop. Every refusal and cut is logged at
most once a second (:class:`stravasync.logsetup.RepeatFilter`).
"""

from __future__ import annotations

import asyncio
import logging
import resource
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

FILE_RESERVE = 128
"""Descriptors kept for everything that is not a client: database files, Strava and
notification sockets, logs, the listening socket."""
BACKLOG = 64
"""The listen backlog. asyncio accepts up to this many connections per loop turn, and a refused
one's descriptor is freed a few turns later, so the cap leaves room for :data:`IN_FLIGHT`."""
IN_FLIGHT = 4 * BACKLOG


def _canned(status: int, reason: str, text: str, extra: str = "") -> bytes:
    body = text.encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n{extra}\r\n"
    ).encode() + body


REFUSED = _canned(503, "Service Unavailable", "too many connections\n", "retry-after: 1\r\n")
TIMED_OUT = _canned(408, "Request Timeout", "request not received in time\n")


@dataclass(frozen=True)
class ConnectionLimits:
    """The values of :mod:`stravasync.config`'s ``http_*`` settings (seconds, counts)."""

    max_connections: int
    header_timeout: float
    body_timeout: float


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a connection cap and header/body deadlines."""

    limits: ClassVar[ConnectionLimits]
    idle: ClassVar[dict[GuardedH11Protocol, None]]
    """The server's connections with no request in progress (waiting for headers, or kept
    alive after an answer), oldest first: the first to go when the cap is reached."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refused = False
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: str | None = None  # "headers" or "body" while a deadline runs

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections and not self._close_idle():
            self._refused = True
            self.transport = transport
            log.warning(
                "refused a connection: %s open (STRAVASYNC_HTTP_MAX_CONNECTIONS)",
                len(self.connections),
            )
            transport.write(REFUSED)
            transport.close()
            return
        super().connection_made(transport)
        self._arm("headers", self.limits.header_timeout)
        self.idle[self] = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.idle.pop(self, None)
        if self._refused:
            return
        super().connection_lost(exc)

    def _close_idle(self) -> bool:
        """Close the oldest connection with no request in progress to make room (False: every
        connection is busy with a request)."""
        while self.idle:
            oldest = next(iter(self.idle))
            del self.idle[oldest]
            if not oldest.transport.is_closing():
                log.warning(
                    "closed the oldest idle connection to make room: %s open "
                    "(STRAVASYNC_HTTP_MAX_CONNECTIONS)",
                    len(self.connections),
                )
                oldest._disarm()
                oldest.transport.close()
                return True
        return False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._phase is None and self.conn.their_state is h11.IDLE:
            self._arm("headers", self.limits.header_timeout)  # a kept-alive connection's next
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        self._follow_state()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow_state()

    def _follow_state(self) -> None:
        state = self.conn.their_state
        if state is h11.IDLE and (self.cycle is None or self.cycle.response_complete):
            self.idle.setdefault(self, None)
        else:
            self.idle.pop(self, None)
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm("body", self.limits.body_timeout)
        elif state is not h11.IDLE or self._phase == "body":
            self._disarm()

    def _arm(self, phase: str, seconds: float) -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._phase = None

    def _expired(self) -> None:
        phase, self._deadline, self._phase = self._phase, None, None
        if self.transport.is_closing():
            return
        seconds = self.limits.header_timeout if phase == "headers" else self.limits.body_timeout
        log.warning("closed a slow connection: %s not complete within %ss", phase, seconds)
        cycle = self.cycle if phase == "body" else None
        if cycle is None or not cycle.response_started:
            self.transport.write(TIMED_OUT)
        if cycle is not None:  # the app sees a disconnect; whatever it answers is dropped
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()


def protocol_class(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """A :class:`GuardedH11Protocol` bound to ``limits`` (uvicorn builds one per connection)."""
    return type("BoundGuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits, "idle": {}})


def fit_file_limit(max_connections: int) -> int:
    """The connection cap the open-file limit allows: raises the soft limit towards the hard
    one when the cap needs it, and lowers the cap (with a warning) when even that is short."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = max_connections + FILE_RESERVE + IN_FLIGHT
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY or soft >= need:
        return max_connections
    fitted = max(soft - FILE_RESERVE - IN_FLIGHT, 1)
    log.warning(
        "STRAVASYNC_HTTP_MAX_CONNECTIONS=%s does not fit the open-file limit (%s): "
        "serving at most %s connections (raise `ulimit -n`)",
        max_connections,
        soft,
        fitted,
    )
    return fitted
