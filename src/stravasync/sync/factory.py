"""Wiring an :class:`Engine` from settings (CLI, service workers, tests, benchmarks)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from stravasync.clock import Clock
from stravasync.config import Settings
from stravasync.store import Database
from stravasync.strava.setup import strava_client, token_manager
from stravasync.sync.engine import Engine
from stravasync.sync.settings import engine_config, webhooks_on


def build_engine(
    cfg: Settings,
    db: Database,
    clock: Clock,
    *,
    http: httpx.Client | None = None,
    trigger: str = "scheduler",
    owner: str | None = None,
    seed: int | None = None,
    stop_requested: Callable[[], bool] | None = None,
) -> Engine:
    client = strava_client(cfg, db, clock, http=http)
    tokens = token_manager(cfg, db, client, clock)
    with db.engine.connect() as conn:
        webhooks = webhooks_on(cfg, conn)
    return Engine(
        db=db,
        client=client,
        tokens=tokens,
        clock=clock,
        cfg=engine_config(cfg, webhooks=webhooks),
        owner=owner,
        seed=seed,
        trigger=trigger,
        stop_requested=stop_requested,
    )
