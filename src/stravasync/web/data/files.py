"""Data API files (Bearer STRAVASYNC_API_KEY): an activity's original device file."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.concurrency import run_in_threadpool

from stravasync.store.mirror import activity_reads as reads
from stravasync.store.mirror.originals import Original, get_original
from stravasync.store.people import athletes as athlete_q
from stravasync.web.bounds import StravaId
from stravasync.web.context import WebContext
from stravasync.web.data.api import NOT_FOUND, IncludeHidden
from stravasync.web.deps import AUTH_RESPONSES, Ctx, require_api_key

router = APIRouter(
    prefix="/api", tags=["data"], dependencies=[Depends(require_api_key)], responses=AUTH_RESPONSES
)


def _original(ctx: WebContext, activity_id: int, include_hidden: bool) -> Original | None:
    with ctx.db.engine.connect() as conn:
        row = reads.get_activity(conn, activity_id)
        if row is None or not athlete_q.visible(
            conn, int(row["athlete_id"]), include_hidden=include_hidden
        ):
            return None
        return get_original(conn, activity_id)


@router.get(
    "/activities/{activity_id}/original",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
            "description": "the file's bytes as the account export held them",
        },
        **NOT_FOUND,
    },
    summary="The activity's original FIT/GPX/TCX file from an imported account export",
)
async def get_original_file(
    activity_id: StravaId, ctx: Ctx, include_hidden: IncludeHidden = False
) -> Response:
    found = await run_in_threadpool(_original, ctx, activity_id, include_hidden)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no original file for {activity_id}")
    info = found.info
    return Response(
        content=found.data,
        media_type=info.served_type,
        headers={
            "Content-Disposition": f'attachment; filename="{info.file_name}"',
            "ETag": f'"{info.sha256}"',
            "X-Original-Media-Type": info.media_type,
            "Cache-Control": "private, no-cache",
        },
    )
