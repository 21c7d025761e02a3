"""Admin API, sessions and their log lines: polling and a server-sent-events stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from stravasync.store.operator import admin as admin_q
from stravasync.store.pending import sessions as session_q
from stravasync.web.bounds import Cursor, Name, StravaId
from stravasync.web.context import WebContext
from stravasync.web.deps import NOT_FOUND, Ctx, admin_router
from stravasync.web.operator.athletes import session_out
from stravasync.web.schemas import LogLine, LogPage, SessionOut

router = admin_router()
POLL_SECONDS = 1.0
STREAM_SECONDS = 300.0


def _line(row: dict[str, Any]) -> LogLine:
    return LogLine(
        id=row["id"],
        session_id=row["session_id"],
        athlete_id=row["athlete_id"],
        level=row["level"],
        message=row["message"],
        metadata=row["metadata_json"],
        created_at=row["created_at"],
    )


def _sessions(ctx: WebContext, athlete_id: int | None, limit: int) -> list[SessionOut]:
    with ctx.db.engine.connect() as conn:
        rows = session_q.recent_sessions(conn, limit=limit, athlete_id=athlete_id)
    return [session_out(r) for r in rows]


@router.get("/sessions", response_model=list[SessionOut], summary="Sync sessions, newest first")
async def sessions(
    ctx: Ctx,
    athlete_id: StravaId | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[SessionOut]:
    return await run_in_threadpool(_sessions, ctx, athlete_id, limit)


def _page(rows: list[dict[str, Any]], after_id: int) -> LogPage:
    lines = [_line(r) for r in rows]
    return LogPage(lines=lines, last_id=lines[-1].id if lines else after_id)


def _session_logs(ctx: WebContext, session_id: str, after_id: int, limit: int) -> LogPage:
    with ctx.db.engine.connect() as conn:
        rows = session_q.session_logs(conn, session_id, after_id=after_id, limit=limit)
        if not rows and not session_q.session_exists(conn, session_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such session")
    return _page(rows, after_id)


@router.get(
    "/sessions/{session_id}/logs",
    response_model=LogPage,
    summary="A session's log lines after after_id (poll with the returned last_id)",
    responses=NOT_FOUND,
)
async def session_logs(
    session_id: Name,
    ctx: Ctx,
    after_id: Annotated[Cursor, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> LogPage:
    return await run_in_threadpool(_session_logs, ctx, session_id, after_id, limit)


def _all_logs(ctx: WebContext, after_id: int, limit: int) -> LogPage:
    with ctx.db.engine.connect() as conn:
        rows = admin_q.recent_logs(conn, after_id=after_id, limit=limit)
    return _page(rows, after_id)


@router.get(
    "/logs",
    response_model=LogPage,
    summary="Log lines of every session after after_id (0: the newest lines)",
)
async def logs(
    ctx: Ctx,
    after_id: Annotated[Cursor, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> LogPage:
    return await run_in_threadpool(_all_logs, ctx, after_id, limit)


async def _events(ctx: WebContext, after_id: int, follow: bool) -> AsyncIterator[str]:
    """Backlog, then new lines as they come; a followed stream ends after ``STREAM_SECONDS``
    (the browser's EventSource reconnects with ``Last-Event-ID`` semantics via ``after_id``)."""
    last = after_id
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + STREAM_SECONDS
    while loop.time() < ends_at:
        page = await run_in_threadpool(_all_logs, ctx, last, 500)
        for line in page.lines:
            yield f"id: {line.id}\nevent: log\ndata: {json.dumps(line.model_dump(mode='json'))}\n\n"
        last = page.last_id
        if not follow:
            return
        if not page.lines:
            yield ": keep-alive\n\n"
            await asyncio.sleep(POLL_SECONDS)


@router.get(
    "/logs/stream",
    summary="Server-sent events: one 'log' event per new line (follow=false ends after backlog)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "SSE stream"}},
)
async def logs_stream(
    ctx: Ctx,
    after_id: Annotated[Cursor, Query()] = 0,
    follow: bool = True,
) -> StreamingResponse:
    return StreamingResponse(
        _events(ctx, after_id, follow),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
