"""Per-athlete controls for the owning app (data API key, no admin token): ask for a sync
("Sync now"), pause or resume an athlete's automatic sync.

Limited per athlete, counted from the audit log (``athlete_actions``) so every process agrees:
one sync asked per :data:`stravasync.store.me.SYNC_EVERY` (whether the athlete asked at
``/me`` or the app asked here), one pause or resume per :data:`SWITCH_EVERY`; past it, 429
with ``Retry-After``. Each accepted action is a line of that audit log (``app_sync``,
``app_pause``, ``app_resume``). A paused athlete opted out: a sync is refused (409) until the
app or the athlete resumes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection

from stravasync.store import athletes as athlete_q
from stravasync.store import me as me_q
from stravasync.store import syncstate
from stravasync.web.auth import retry_after
from stravasync.web.bounds import StravaId
from stravasync.web.context import WebContext
from stravasync.web.data.api import IncludeHidden
from stravasync.web.deps import AUTH_RESPONSES, Ctx, require_api_key
from stravasync.web.schemas import Problem, SyncAsked, SyncSwitch

router = APIRouter(
    prefix="/api", tags=["data"], dependencies=[Depends(require_api_key)], responses=AUTH_RESPONSES
)
T = TypeVar("T")
SWITCH_EVERY = timedelta(seconds=10)
"""One pause or resume per athlete per this long."""
SWITCH_ACTIONS = ("app_pause", "app_resume")

_LIMITED: dict[str, Any] = {
    "model": Problem,
    "description": "asked too often for this athlete; nothing changed",
    "headers": {
        "Retry-After": {
            "description": "seconds until it may be asked",
            "schema": {"type": "integer"},
        }
    },
}
_UNKNOWN: dict[str, Any] = {"model": Problem, "description": "unknown athlete (or hidden)"}


class Refused(Exception):
    """Why an action was not taken: an HTTP status, a sentence, and when to retry (429)."""

    def __init__(self, status: int, detail: str, retry_at: datetime | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_at = retry_at


def _last_switch(conn: Connection, athlete_id: int) -> datetime | None:
    times = [me_q.last_action_at(conn, athlete_id, a) for a in SWITCH_ACTIONS]
    return max((t for t in times if t is not None), default=None)


def _athlete(conn: Connection, athlete_id: int, include_hidden: bool) -> dict[str, Any]:
    athlete = athlete_q.get_athlete(conn, athlete_id)
    if athlete is None or (athlete["hidden"] and not include_hidden):
        raise Refused(404, f"no athlete {athlete_id}")
    return athlete


def _sync(ctx: WebContext, athlete_id: int, include_hidden: bool) -> SyncAsked:
    now = ctx.clock.now()
    with ctx.db.transaction() as conn:
        athlete = _athlete(conn, athlete_id, include_hidden)
        if athlete["status"] != "active":
            raise Refused(409, f"athlete {athlete_id} is {athlete['status']}: nothing to sync")
        if not athlete["auto_sync"]:
            raise Refused(409, f"athlete {athlete_id} paused their sync: resume it first")
        until = me_q.next_allowed(me_q.last_sync_asked_at(conn, athlete_id), now, me_q.SYNC_EVERY)
        if until is not None:
            raise Refused(429, f"a sync was asked for athlete {athlete_id} recently", until)
        syncstate.request_mode(conn, athlete_id, "incremental", now)
        me_q.record(conn, athlete_id, "app_sync", now)
    return SyncAsked(
        athlete_id=athlete_id,
        asked_at=now,
        next_allowed_at=now + me_q.SYNC_EVERY,
        detail=f"sync asked for athlete {athlete_id}",
    )


def _switch(ctx: WebContext, athlete_id: int, include_hidden: bool, auto: bool) -> SyncSwitch:
    now = ctx.clock.now()
    with ctx.db.transaction() as conn:
        athlete = _athlete(conn, athlete_id, include_hidden)
        until = me_q.next_allowed(_last_switch(conn, athlete_id), now, SWITCH_EVERY)
        if until is not None:
            raise Refused(429, f"athlete {athlete_id}'s sync was switched a moment ago", until)
        changed = bool(athlete["auto_sync"]) != auto
        if changed:
            athlete_q.set_flags(conn, athlete_id, now=now, auto_sync=auto)
        me_q.record(conn, athlete_id, "app_resume" if auto else "app_pause", now)
    word = "resumed" if auto else "paused"
    return SyncSwitch(
        athlete_id=athlete_id,
        auto_sync=auto,
        changed=changed,
        detail=f"athlete {athlete_id}'s sync {word}" + ("" if changed else " (already so)"),
    )


async def _run(ctx: WebContext, fn: Callable[..., T], *args: Any) -> T:
    try:
        return await run_in_threadpool(fn, ctx, *args)
    except Refused as refused:
        headers = None
        if refused.retry_at is not None:
            headers = {"Retry-After": str(retry_after(refused.retry_at, ctx.clock.now()))}
        raise HTTPException(refused.status, refused.detail, headers=headers) from None


@router.post(
    "/athletes/{athlete_id}/sync",
    response_model=SyncAsked,
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        404: _UNKNOWN,
        409: {"model": Problem, "description": "not connected, blocked, or paused by them"},
        429: _LIMITED,
    },
    summary="Sync now: ask for one athlete's sync (one per athlete per 10 minutes)",
)
async def request_sync(
    athlete_id: StravaId, ctx: Ctx, include_hidden: IncludeHidden = False
) -> SyncAsked:
    asked = await _run(ctx, _sync, athlete_id, include_hidden)
    if ctx.services.wake is not None:
        ctx.services.wake()
    return asked


@router.post(
    "/athletes/{athlete_id}/pause",
    response_model=SyncSwitch,
    responses={404: _UNKNOWN, 429: _LIMITED},
    summary="Pause one athlete's automatic sync (their opt-out; a sync is refused until resumed)",
)
async def pause_sync(
    athlete_id: StravaId, ctx: Ctx, include_hidden: IncludeHidden = False
) -> SyncSwitch:
    return await _run(ctx, _switch, athlete_id, include_hidden, False)


@router.post(
    "/athletes/{athlete_id}/resume",
    response_model=SyncSwitch,
    responses={404: _UNKNOWN, 429: _LIMITED},
    summary="Resume one athlete's automatic sync",
)
async def resume_sync(
    athlete_id: StravaId, ctx: Ctx, include_hidden: IncludeHidden = False
) -> SyncSwitch:
    return await _run(ctx, _switch, athlete_id, include_hidden, True)
