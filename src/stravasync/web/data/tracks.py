"""Data API tracks (Bearer STRAVASYNC_API_KEY): an activity's track as GPX 1.1 or TCX.

Built on request from the activity's streams, or from its polyline when it has no streams;
``X-Track-Source`` (and the file's own description) says which. 404 when the activity is
unknown, deleted, of a hidden athlete (without ``include_hidden``) or has no track.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.concurrency import run_in_threadpool

from stravasync.export import TrackFile, track_file
from stravasync.store.mirror import activity_reads as reads
from stravasync.store.people import athletes as athlete_q
from stravasync.web.bounds import StravaId
from stravasync.web.context import WebContext
from stravasync.web.data.api import NOT_FOUND, IncludeHidden
from stravasync.web.deps import AUTH_RESPONSES, Ctx, require_api_key

router = APIRouter(
    prefix="/api", tags=["data"], dependencies=[Depends(require_api_key)], responses=AUTH_RESPONSES
)
_SOURCE_HEADER = {
    "X-Track-Source": {
        "description": "where the points came from: `streams` (recorded, with times and "
        "sensors) or `polyline` (the route line: positions only)",
        "schema": {"type": "string", "enum": ["streams", "polyline"]},
    }
}


def _track(ctx: WebContext, activity_id: int, include_hidden: bool, fmt: str) -> TrackFile | None:
    with ctx.db.engine.connect() as conn:
        row = reads.get_activity(conn, activity_id)
        if row is None or not athlete_q.visible(
            conn, int(row["athlete_id"]), include_hidden=include_hidden
        ):
            return None
        return track_file(conn, activity_id, "gpx" if fmt == "gpx" else "tcx")


async def _serve(ctx: WebContext, activity_id: int, include_hidden: bool, fmt: str) -> Response:
    found = await run_in_threadpool(_track, ctx, activity_id, include_hidden, fmt)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no track for activity {activity_id}")
    return Response(
        content=found.data,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.name}"',
            "ETag": f'"{hashlib.sha256(found.data).hexdigest()}"',
            "X-Track-Source": found.source,
            "Cache-Control": "private, no-cache",
        },
    )


def _responses(media_type: str, what: str) -> dict[int | str, dict[str, object]]:
    return {
        200: {
            "content": {media_type: {"schema": {"type": "string"}}},
            "description": f"the activity's track as {what}",
            "headers": _SOURCE_HEADER,
        },
        **NOT_FOUND,
    }


@router.get(
    "/activities/{activity_id}.gpx",
    response_class=Response,
    responses=_responses("application/gpx+xml", "GPX 1.1"),
    summary="The activity's track as GPX 1.1 (from its streams, else its polyline)",
)
async def get_activity_gpx(
    activity_id: StravaId, ctx: Ctx, include_hidden: IncludeHidden = False
) -> Response:
    return await _serve(ctx, activity_id, include_hidden, "gpx")


@router.get(
    "/activities/{activity_id}.tcx",
    response_class=Response,
    responses=_responses("application/vnd.garmin.tcx+xml", "TCX (Training Center Database v2)"),
    summary="The activity's track as TCX (from its streams, else its polyline)",
)
async def get_activity_tcx(
    activity_id: StravaId, ctx: Ctx, include_hidden: IncludeHidden = False
) -> Response:
    return await _serve(ctx, activity_id, include_hidden, "tcx")
