"""Data API for the owning app (Bearer STRAVASYNC_API_KEY): activities (with their gear's
name), annotations, gear, stats."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from stravasync.store.mirror import activity_reads as reads
from stravasync.store.mirror import gear as gear_q
from stravasync.store.people import athletes as athlete_q
from stravasync.web.bounds import BoundedDatetime, Cursor, NoNul, StravaId
from stravasync.web.context import WebContext
from stravasync.web.deps import AUTH_RESPONSES, Ctx, require_api_key
from stravasync.web.schemas import (
    ActivityDetailOut,
    ActivityOut,
    ActivityPage,
    ActivitySummary,
    AnnotationsIn,
    AnnotationsOut,
    AthleteStats,
    GearOut,
    Problem,
)

router = APIRouter(
    prefix="/api", tags=["data"], dependencies=[Depends(require_api_key)], responses=AUTH_RESPONSES
)
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "unknown"}}
IncludeHidden = Annotated[
    bool, Query(description="also athletes an operator hid (hidden: 404 without it)")
]


class AthleteListed(BaseModel):
    athlete_id: int
    name: str
    status: str
    hidden: bool
    activity_count: int


def _athletes(ctx: WebContext, include_hidden: bool) -> list[AthleteListed]:
    with ctx.db.engine.connect() as conn:
        rows = athlete_q.overview(conn, include_hidden=include_hidden)
    return [
        AthleteListed(
            athlete_id=r.athlete_id,
            name=r.name,
            status=r.status,
            hidden=r.hidden,
            activity_count=r.activity_count,
        )
        for r in rows
    ]


@router.get(
    "/athletes",
    response_model=list[AthleteListed],
    summary="The mirrored athletes (hidden ones only with include_hidden), by id",
)
async def list_athletes(ctx: Ctx, include_hidden: IncludeHidden = False) -> list[AthleteListed]:
    return await run_in_threadpool(_athletes, ctx, include_hidden)


def summary_of(row: dict[str, Any], gear_names: dict[str, str]) -> ActivitySummary:
    """The summary of a stored row, with its gear's name (``gear_names``: id -> name)."""
    fields = {k: row[k] for k in ActivitySummary.model_fields if k != "gear_name"}
    return ActivitySummary(**fields, gear_name=gear_names.get(row["gear_id"] or ""))


def _list(
    ctx: WebContext,
    athlete_id: int,
    since: datetime | None,
    until: datetime | None,
    sport: str | None,
    after_id: int | None,
    limit: int,
    include_hidden: bool = False,
) -> ActivityPage | None:
    with ctx.db.engine.connect() as conn:
        if not athlete_q.visible(conn, athlete_id, include_hidden=include_hidden):
            return None
        rows = reads.list_activities(
            conn,
            athlete_id,
            since=since,
            until=until,
            sport=sport,
            after_id=after_id,
            limit=limit + 1,
        )
        names = gear_q.names(conn, athlete_id, (r["gear_id"] for r in rows))
    more = len(rows) > limit
    rows = rows[:limit]
    return ActivityPage(
        items=[summary_of(r, names) for r in rows],
        next_after_id=rows[-1]["id"] if more and rows else None,
    )


@router.get(
    "/athletes/{athlete_id}/activities",
    response_model=ActivityPage,
    responses=NOT_FOUND,
    summary="An athlete's activities (deleted ones excluded), newest id first, paged",
)
async def list_activities(
    athlete_id: StravaId,
    ctx: Ctx,
    since: Annotated[
        BoundedDatetime | None, Query(description="start_date at or after (ISO 8601)")
    ] = None,
    until: Annotated[
        BoundedDatetime | None, Query(description="start_date before (ISO 8601)")
    ] = None,
    sport: Annotated[
        str | None, Query(max_length=64, description="sport_type, e.g. Ride"), NoNul
    ] = None,
    after_id: Annotated[Cursor | None, Query(description="next_after_id of the last page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    include_hidden: IncludeHidden = False,
) -> ActivityPage:
    page = await run_in_threadpool(
        _list, ctx, athlete_id, since, until, sport, after_id, limit, include_hidden
    )
    if page is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no athlete {athlete_id}")
    return page


def _activity(ctx: WebContext, activity_id: int, include_hidden: bool) -> ActivityOut | None:
    with ctx.db.engine.connect() as conn:
        row = reads.get_activity(conn, activity_id)
        if row is None or not athlete_q.visible(
            conn, int(row["athlete_id"]), include_hidden=include_hidden
        ):
            return None
        detail = reads.get_detail(conn, activity_id)
        notes = reads.get_annotations(conn, activity_id)
        names = gear_q.names(conn, int(row["athlete_id"]), [row["gear_id"]])
    detail_out = None
    if detail is not None:
        detail_out = ActivityDetailOut(
            description=detail["description"],
            calories=detail["calories"],
            fetched_at=detail["fetched_at"],
            laps=detail["laps_json"],
            splits_metric=detail["splits_metric_json"],
            segment_efforts=detail["segment_efforts_json"],
            best_efforts=detail["best_efforts_json"],
            raw=detail["detail_json"],
        )
    return ActivityOut(
        summary=summary_of(row, names),
        raw_summary=row["summary_json"],
        detail=detail_out,
        annotations=notes,
    )


@router.get(
    "/activities/{activity_id}",
    response_model=ActivityOut,
    responses=NOT_FOUND,
    summary="One activity: summary, detail (when fetched) and annotations",
)
async def get_activity(
    activity_id: StravaId, ctx: Ctx, include_hidden: IncludeHidden = False
) -> ActivityOut:
    out = await run_in_threadpool(_activity, ctx, activity_id, include_hidden)
    if out is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no activity {activity_id}")
    return out


def _put_notes(ctx: WebContext, activity_id: int, notes: dict[str, str]) -> bool:
    with ctx.db.transaction() as conn:
        if reads.get_activity(conn, activity_id) is None:
            return False
        reads.replace_annotations(conn, activity_id, notes, now=ctx.clock.now())
    return True


@router.put(
    "/activities/{activity_id}/annotations",
    response_model=AnnotationsOut,
    responses={**NOT_FOUND, 422: {"model": Problem, "description": "invalid annotations"}},
    summary="Replace the activity's local annotations (a re-sync never overwrites them)",
)
async def put_annotations(activity_id: StravaId, body: AnnotationsIn, ctx: Ctx) -> AnnotationsOut:
    notes = body.annotations
    if not await run_in_threadpool(_put_notes, ctx, activity_id, notes):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no activity {activity_id}")
    return AnnotationsOut(activity_id=activity_id, annotations=notes)


def _gear(ctx: WebContext, athlete_id: int, include_hidden: bool) -> list[GearOut] | None:
    with ctx.db.engine.connect() as conn:
        if not athlete_q.visible(conn, athlete_id, include_hidden=include_hidden):
            return None
        return [GearOut(**r) for r in gear_q.for_athlete(conn, athlete_id)]


@router.get(
    "/athletes/{athlete_id}/gear",
    response_model=list[GearOut],
    responses=NOT_FOUND,
    summary="An athlete's bikes and shoes (retired ones too): bikes first, current first",
)
async def athlete_gear(
    athlete_id: StravaId, ctx: Ctx, include_hidden: IncludeHidden = False
) -> list[GearOut]:
    gear = await run_in_threadpool(_gear, ctx, athlete_id, include_hidden)
    if gear is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no athlete {athlete_id}")
    return gear


def _stats(ctx: WebContext, athlete_id: int, include_hidden: bool) -> dict[str, Any] | None:
    fn = ctx.services.stats
    if fn is None:
        from stravasync.stats.service import athlete_stats

        fn = athlete_stats
    with ctx.db.engine.connect() as conn:
        if not athlete_q.visible(conn, athlete_id, include_hidden=include_hidden):
            return None
        return fn(conn, athlete_id)


@router.get(
    "/athletes/{athlete_id}/stats",
    response_model=AthleteStats,
    responses=NOT_FOUND,
    summary="Eddington numbers, rollups, races and records (stravasync.stats)",
)
async def athlete_stats(
    athlete_id: StravaId, ctx: Ctx, include_hidden: IncludeHidden = False
) -> dict[str, Any]:
    stats = await run_in_threadpool(_stats, ctx, athlete_id, include_hidden)
    if stats is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no athlete {athlete_id}")
    return stats
