"""Download my data: ``GET /me/download`` streams the athlete's zip (:mod:`stravasync.export`'s
``iter_athlete_zip``: activities JSONL + CSV, details, streams, GPX where there is a track,
original files where imported), chunk by chunk from keyset reads, so a long history never sits
in memory. One download per athlete per :data:`DOWNLOAD_EVERY` (it reads everything); each
is in the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from stravasync.export import athlete_zip_name, iter_athlete_zip
from stravasync.store.people import me as me_q
from stravasync.web.athlete import render
from stravasync.web.athlete.signed import AUTH, Me
from stravasync.web.auth import retry_after
from stravasync.web.context import WebContext
from stravasync.web.deps import Ctx

router = APIRouter(tags=["athlete"])
DOWNLOAD_EVERY = timedelta(minutes=1)


def _may_download(ctx: WebContext, athlete_id: int) -> datetime | None:
    """None (and the download audited) when allowed now, else when it will be."""
    now = ctx.clock.now()
    with ctx.db.transaction() as conn:
        last = me_q.last_action_at(conn, athlete_id, "download")
        if last is not None and now - last < DOWNLOAD_EVERY:
            return last + DOWNLOAD_EVERY
        me_q.record(conn, athlete_id, "download", now)
    return None


@router.get(
    "/me/download",
    response_class=StreamingResponse,
    responses={
        **AUTH,
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "my data, as a zip (streamed)",
        },
        **{k: v for k, v in render.pages(429, s429="a download a moment ago").items() if k != 200},
    },
    summary="Download my data (a zip, streamed)",
)
async def download(request: Request, me: Me, ctx: Ctx) -> Response:
    until = await run_in_threadpool(_may_download, ctx, me.athlete_id)
    now = ctx.clock.now()
    if until is not None:
        text = f"You can download again at {until:%H:%M:%S} UTC."
        resp = render.message(request, 429, "Download already started", text, csrf=me.csrf)
        resp.headers["Retry-After"] = str(retry_after(until, now))
        return resp
    name = athlete_zip_name(me.athlete_id, now)
    return StreamingResponse(
        iter_athlete_zip(ctx.db, me.athlete_id, now=now),  # a sync iterator: run in threads
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
