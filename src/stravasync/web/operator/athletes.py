"""Admin API, athletes: overview, detail, sync/cancel requests, block/unblock, hide/unhide.

Requests are written as intent in the database (``sync_state.requested_mode``, ``due_at=now``,
``cancel_requested``); the engine, wherever it runs, honours them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import HTTPException, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection

from stravasync.store.operator import admin as admin_q
from stravasync.store.pending import sessions as session_q
from stravasync.store.pending import syncstate
from stravasync.store.people import athlete_pages
from stravasync.store.people import athletes as athlete_q
from stravasync.store.people.athlete_pages import AthletePage, AthleteQuery
from stravasync.sync.enrich import BadEnrichRequest, request_options
from stravasync.web.bounds import MAX_LIST, Cursor, NoNul, StravaId
from stravasync.web.context import WebContext
from stravasync.web.deps import NOT_FOUND, Ctx, admin_router
from stravasync.web.schemas import (
    ActionResult,
    AthleteDetail,
    AthleteOut,
    SessionOut,
    SyncRequest,
    SyncStateOut,
)

router = admin_router()
AthleteStatus = Literal["active", "reconnect_needed", "deauthorized", "blocked"]


def session_out(row: dict[str, Any]) -> SessionOut:
    return SessionOut(
        id=row["id"],
        athlete_id=row["athlete_id"],
        mode=row["mode"],
        trigger=row["trigger"],
        status=row["status"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        api_calls=row["api_calls"],
        summary=row["summary_json"],
    )


def _overview(
    ctx: WebContext, query: AthleteQuery, after_id: int | None, limit: int
) -> AthletePage:
    with ctx.db.engine.connect() as conn:
        return athlete_pages.page(conn, query, after_id=after_id, limit=limit)


@router.get(
    "/athletes",
    response_model=list[AthleteOut],
    summary="Athletes with sync state, by id, paged (X-Total-Count, X-Next-After-Id headers)",
)
async def list_athletes(
    ctx: Ctx,
    response: Response,
    status_filter: Annotated[
        AthleteStatus | None, Query(alias="status", description="only athletes in this status")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=128, description="a name prefix (first or last name) or an athlete id"),
        NoNul,
    ] = None,
    after_id: Annotated[
        Cursor | None, Query(description="X-Next-After-Id of the last page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 100,
) -> list[AthleteOut]:
    query = AthleteQuery(status=status_filter, search=q)
    found = await run_in_threadpool(_overview, ctx, query, after_id, limit)
    response.headers["X-Total-Count"] = str(found.total)
    if found.next_after_id is not None:
        response.headers["X-Next-After-Id"] = str(found.next_after_id)
    return [AthleteOut(**r.as_json()) for r in found.items]


def _detail(ctx: WebContext, athlete_id: int) -> AthleteDetail | None:
    with ctx.db.engine.connect() as conn:
        row = admin_q.athlete_state(conn, athlete_id)
        if row is None:
            return None
        over = athlete_q.overview(conn, athlete_id=athlete_id)[0]
        sessions = session_q.recent_sessions(conn, limit=20, athlete_id=athlete_id)
    state = None
    if row.get("athlete_id") is not None:
        fields = {k: row[k] for k in SyncStateOut.model_fields if k in row and row[k] is not None}
        state = SyncStateOut(leased_by=row.get("lease_owner"), **fields)
    return AthleteDetail(
        athlete=AthleteOut(**over.as_json()),
        status_reason=row["status_reason"],
        connected_at=row["connected_at"],
        deauthorized_at=row["deauthorized_at"],
        sync_state=state,
        recent_sessions=[session_out(s) for s in sessions],
        profile={k: str(v) for k, v in (row.get("profile_json") or {}).items()},
    )


@router.get(
    "/athletes/{athlete_id}",
    response_model=AthleteDetail,
    responses=NOT_FOUND,
    summary="One athlete: sync state, status and recent sessions",
)
async def athlete_detail(athlete_id: StravaId, ctx: Ctx) -> AthleteDetail:
    detail = await run_in_threadpool(_detail, ctx, athlete_id)
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no athlete {athlete_id}")
    return detail


def _write(
    ctx: WebContext,
    athlete_id: int,
    action: str,
    mode: str | None,
    options: dict[str, Any] | None = None,
) -> bool:
    now = ctx.clock.now()
    with ctx.db.transaction() as conn:
        athlete = athlete_q.get_athlete(conn, athlete_id)
        if athlete is None:
            return False
        if action == "unblock" and athlete["status"] != "blocked":
            return True  # only a block is lifted; a revoked athlete must reconnect
        _apply(conn, athlete_id, action, mode, options, now=now)
    return True


def _apply(
    conn: Connection,
    athlete_id: int,
    action: str,
    mode: str | None,
    options: dict[str, Any] | None,
    *,
    now: datetime,
) -> None:
    if action == "sync":
        syncstate.request_mode(conn, athlete_id, mode or "incremental", now, options=options)
    elif action == "cancel":
        syncstate.request_cancel(conn, athlete_id, now)
    elif action == "block":
        athlete_q.set_status(conn, athlete_id, "blocked", reason="blocked by an operator", now=now)
    elif action == "unblock":
        athlete_q.set_status(conn, athlete_id, "active", reason=None, now=now)
    elif action in ("hide", "unhide"):
        athlete_q.set_flags(conn, athlete_id, now=now, hidden=action == "hide")


async def _act(
    ctx: WebContext,
    athlete_id: int,
    action: str,
    mode: str | None = None,
    options: dict[str, Any] | None = None,
) -> ActionResult:
    found = await run_in_threadpool(_write, ctx, athlete_id, action, mode, options)
    if not found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no athlete {athlete_id}")
    if action == "sync" and ctx.services.wake is not None:
        ctx.services.wake()
    return ActionResult(ok=True, detail=f"{action} recorded for athlete {athlete_id}")


@router.post(
    "/athletes/{athlete_id}/sync",
    response_model=ActionResult,
    responses=NOT_FOUND,
    summary="Ask for a sync now in a given mode (clears a dead letter)",
)
async def request_sync(athlete_id: StravaId, body: SyncRequest, ctx: Ctx) -> ActionResult:
    options: dict[str, Any] | None = None
    if body.options is not None and body.mode == "enrich":
        opts = body.options
        try:
            options = request_options(
                since_days=opts.since_days,
                all_=bool(opts.all),
                activity_ids=opts.activity_ids,
                since=opts.since,
                until=opts.until,
                force=bool(opts.force),
            )
        except BadEnrichRequest as exc:
            raise HTTPException(422, f"options.{exc.option}: {exc.problem}") from exc
    elif body.options is not None:
        raise HTTPException(422, "options: for mode enrich only")
    return await _act(ctx, athlete_id, "sync", body.mode, options or None)


@router.post(
    "/athletes/{athlete_id}/cancel",
    response_model=ActionResult,
    responses=NOT_FOUND,
    summary="Ask a running sync to stop at the next page",
)
async def cancel_sync(athlete_id: StravaId, ctx: Ctx) -> ActionResult:
    return await _act(ctx, athlete_id, "cancel")


@router.post("/athletes/{athlete_id}/block", response_model=ActionResult, responses=NOT_FOUND)
async def block(athlete_id: StravaId, ctx: Ctx) -> ActionResult:
    """Stop syncing this athlete until unblocked."""
    return await _act(ctx, athlete_id, "block")


@router.post("/athletes/{athlete_id}/unblock", response_model=ActionResult, responses=NOT_FOUND)
async def unblock(athlete_id: StravaId, ctx: Ctx) -> ActionResult:
    """Make a blocked athlete active again."""
    return await _act(ctx, athlete_id, "unblock")


@router.post("/athletes/{athlete_id}/hide", response_model=ActionResult, responses=NOT_FOUND)
async def hide(athlete_id: StravaId, ctx: Ctx) -> ActionResult:
    """Hide the athlete from public listings (sync continues)."""
    return await _act(ctx, athlete_id, "hide")


@router.post("/athletes/{athlete_id}/unhide", response_model=ActionResult, responses=NOT_FOUND)
async def unhide(athlete_id: StravaId, ctx: Ctx) -> ActionResult:
    """Show a hidden athlete again."""
    return await _act(ctx, athlete_id, "unhide")
