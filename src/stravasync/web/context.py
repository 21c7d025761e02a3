"""What every route needs, built once per app: settings, database, clock, metrics, services."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Request
from sqlalchemy import Connection

from stravasync.clock import Clock
from stravasync.config import Settings
from stravasync.store import Database
from stravasync.store.pending.inbox import InboxEvent
from stravasync.strava.client import StravaClient
from stravasync.strava.tokens import TokenManager
from stravasync.web.auth import AttemptLimiter
from stravasync.web.metrics import Metrics


def connect_limiter() -> AttemptLimiter:
    """``GET /connect`` per client address: 20 starts per 15 minutes (each stores a state)."""
    return AttemptLimiter(max_failures=20, window=900.0)


StatsFn = Callable[[Connection, int], dict[str, Any]]
CronFn = Callable[[float], dict[str, Any]]


class EventInbox(Protocol):
    """Where the webhook receiver hands an event (web.intake's group-committing writer): the
    answer comes once the event is committed ("stored", "duplicate" or "ignored")."""

    async def submit(self, event: InboxEvent) -> str: ...


@dataclass(frozen=True, slots=True)
class ConnectDeps:
    """What the OAuth callback needs to exchange a code and store the tokens."""

    client: StravaClient
    tokens: TokenManager


@dataclass(slots=True)
class Services:
    """Optional collaborators. ``oauth`` is built from settings on first use when not given;
    ``cron`` missing makes the cron route answer 503; ``wake`` nudges in-process workers."""

    stats: StatsFn | None = None
    oauth: ConnectDeps | None = None
    cron: CronFn | None = None
    wake: Callable[[], None] | None = None


@dataclass(slots=True)
class WebContext:
    settings: Settings
    db: Database
    clock: Clock
    metrics: Metrics
    limiter: AttemptLimiter
    inbox: EventInbox
    services: Services = field(default_factory=Services)
    connect_limiter: AttemptLimiter = field(default_factory=connect_limiter)


_oauth_lock = threading.Lock()


def connect_deps(ctx: WebContext) -> ConnectDeps:
    """The Strava client and token manager the OAuth flows use (connect, sign-in, disconnect),
    built from settings on first use, once per app: one lock for every flow."""
    with _oauth_lock:
        if ctx.services.oauth is None:
            from stravasync.strava.setup import strava_client, token_manager

            client = strava_client(ctx.settings, ctx.db, ctx.clock)
            tokens = token_manager(ctx.settings, ctx.db, client, ctx.clock)
            ctx.services.oauth = ConnectDeps(client=client, tokens=tokens)
        return ctx.services.oauth


async def get_ctx(request: Request) -> WebContext:
    """``async`` on purpose: FastAPI runs a plain ``def`` dependency in its threadpool, a
    thread hop on every request (a third of the webhook receiver's CPU under a burst)."""
    ctx: WebContext = request.app.state.ctx
    return ctx
