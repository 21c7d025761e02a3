"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from stravasync.clock import Clock
from stravasync.store import migrate
from stravasync.store.engine import SQLITE_BUSY_TIMEOUT_MS, check_reachable
from stravasync.store.errors import StoreError
from stravasync.store.operator import admin as admin_q
from stravasync.store.operator import appstate as appstate_q
from stravasync.web.deps import AUTH_RESPONSES, Ctx, require_metrics
from stravasync.web.failures import DB_RETRY_AFTER_S
from stravasync.web.schemas import AppStateOut, Health, Ready
from stravasync.work import skew

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health(status="ok")


READINESS_PROBE_KEY = "readiness_probe"
"""The ``app_settings`` row each readiness check writes (its value: when it last did)."""


def disk_shortage(free_bytes: int, min_free_mb: float) -> str | None:
    """Why the database's disk is too full to be ready, or None."""
    if free_bytes >= min_free_mb * 1024 * 1024:
        return None
    return (
        f"disk almost full: {free_bytes / (1024 * 1024):.1f} MB free where the database lives "
        f"(STRAVASYNC_READY_MIN_FREE_MB={min_free_mb:g})"
    )


def _sqlite_free_bytes(engine: Engine) -> int | None:
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        return None
    return shutil.disk_usage(Path(database).expanduser().resolve().parent).free


READY_LOCK_TIMEOUT_MS = 2000
"""How long /readyz waits for a write lock (SQLite's database lock, PostgreSQL's row lock on
the probe row). A writer holding it longer (a stuck transaction, another process) makes the
service not ready now, where every webhook and sync would wait up to SQLite's 30 s timeout."""


def _write_probe(engine: Engine, now: datetime) -> None:
    """One committed write: a full disk or a read-only volume fails here, not in a sync."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # a held row lock fails it fast, as SQLite's does
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {READY_LOCK_TIMEOUT_MS}")
        admin_q.put_setting(conn, READINESS_PROBE_KEY, now.isoformat(), now=now)


def _write_lock_busy(engine: Engine) -> bool:
    """Whether SQLite's write lock stayed taken for :data:`READY_LOCK_TIMEOUT_MS` (PostgreSQL
    locks rows: the test write's ``lock_timeout``; any other failure is for the checks after
    this one to name)."""
    if engine.dialect.name != "sqlite":
        return False
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            cursor.execute(f"PRAGMA busy_timeout={READY_LOCK_TIMEOUT_MS}")
            try:
                with conn.begin():  # BEGIN IMMEDIATE: takes the write lock, or fails when busy
                    pass
            finally:
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                cursor.close()
    except OperationalError as exc:
        return "locked" in str(exc.orig)
    except Exception:
        return False
    return False


def _readiness(
    engine: Engine, min_free_mb: float, now: datetime, clock: Clock, skew_tolerance: float
) -> Ready:
    head = migrate.head_revision()
    if _write_lock_busy(engine):
        wait = READY_LOCK_TIMEOUT_MS / 1000
        reason = f"the database's write lock was not free within {wait:g} s (a long write)"
        return Ready(status="not_ready", database="locked", head=head, reason=reason)
    try:
        check_reachable(engine)
        current = migrate.current_revision(engine)
        migrate.ensure_at_head(engine)
        with engine.connect() as conn:
            app = appstate_q.get(conn)
    except StoreError as exc:
        return Ready(status="not_ready", database="unreachable", head=head, reason=str(exc))
    except Exception as exc:  # any driver error means "not ready", never a 500
        return Ready(status="not_ready", database="error", head=head, reason=type(exc).__name__)
    free = _sqlite_free_bytes(engine)
    shortage = disk_shortage(free, min_free_mb) if free is not None else None
    try:
        _write_probe(engine, now)
    except (OperationalError, DBAPIError, OSError) as exc:
        orig = getattr(exc, "orig", None) or exc
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        failed = f"a test write failed: {first}"
        reason = f"{shortage}; {failed}" if shortage else failed
        state = "locked" if "lock timeout" in first else "read_only"
        return Ready(status="not_ready", database=state, revision=current, head=head, reason=reason)
    if shortage:
        return Ready(
            status="not_ready", database="disk_full", revision=current, head=head, reason=shortage
        )
    try:
        offset = skew.measure(engine, clock, skew_tolerance)
    except Exception:  # the database answered the checks above: a hiccup, not a skew
        offset = None
    if offset is not None and offset.reason is not None:  # leases and windows need one clock
        return Ready(
            status="not_ready", database="ok", revision=current, head=head, reason=offset.reason
        )
    if app is not None:  # the database is fine; Strava refuses the application
        return Ready(
            status="degraded",
            database="ok",
            revision=current,
            head=head,
            reason=f"Strava application suspended ({app.condition}): {app.reason}",
            app_state=AppStateOut(**app.as_json()),
        )
    return Ready(status="ready", database="ok", revision=current, head=head)


@router.get(
    "/readyz",
    response_model=Ready,
    summary="Readiness: database reachable, at the migration head, writable, disk not full; "
    "degraded (200) while Strava refuses the application",
    responses={503: {"model": Ready, "description": "not ready"}},
)
async def readyz(ctx: Ctx) -> JSONResponse:
    ready = await run_in_threadpool(
        _readiness,
        ctx.db.engine,
        ctx.settings.ready_min_free_mb,
        ctx.clock.now(),
        ctx.clock,
        ctx.settings.clock_skew_tolerance,
    )
    if ready.status != "not_ready":  # degraded: data API and intake work
        return JSONResponse(ready.model_dump(mode="json"))
    headers = {"Retry-After": str(DB_RETRY_AFTER_S)}
    return JSONResponse(ready.model_dump(mode="json"), status_code=503, headers=headers)


@router.get(
    "/metrics",
    summary="Prometheus metrics (Bearer STRAVASYNC_METRICS_TOKEN when it is set)",
    response_class=Response,
    dependencies=[Depends(require_metrics)],
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "text exposition"},
        **AUTH_RESPONSES,
    },
)
async def metrics(ctx: Ctx) -> Response:
    body = await run_in_threadpool(ctx.metrics.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
