"""The athlete's pages: the overview at ``/me``, the activity list and one activity."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from stravasync.store.people import athletes as athlete_q
from stravasync.store.people import me as me_q
from stravasync.store.people import my_activities
from stravasync.store.people.my_activities import ActivityFilter
from stravasync.web.athlete import progress, render, views
from stravasync.web.athlete.signed import AUTH, Me
from stravasync.web.bounds import NoNul, StravaId
from stravasync.web.context import WebContext
from stravasync.web.deps import Ctx

router = APIRouter(tags=["athlete"])
PAGE_SIZE = 30
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 1, 1)
_CURSOR = re.compile(r"^(\d{1,12})-(\d{1,19})$")
Day = Annotated[
    str | None,
    Query(max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD"),
]


def _day(value: str | None, name: str) -> date | None:
    """A day from the filter form, between 1900-01-01 and 2200-01-01, else 422."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise HTTPException(422, f"query.{name}: a day between 1900-01-01 and 2200-01-01")
    return day


def _overview(ctx: WebContext, athlete_id: int) -> dict[str, Any] | None:
    now = ctx.clock.now()
    with ctx.db.engine.connect() as conn:
        rows = athlete_q.overview(conn, athlete_id=athlete_id)
        if not rows:
            return None
        athlete = athlete_q.get_athlete(conn, athlete_id) or {}
        prog = progress.sync_progress(conn, athlete_id, now)
        actions = me_q.recent_actions(conn, athlete_id, limit=10)
    return {
        "athlete": rows[0],
        "purge_after": athlete.get("purge_after"),
        "progress": prog,
        "progress_text": progress.describe(prog),
        "actions": actions,
    }


@router.get(
    "/me", response_class=HTMLResponse, responses={**AUTH, **render.HTML}, summary="My overview"
)
async def overview(request: Request, me: Me, ctx: Ctx) -> Response:
    found = await run_in_threadpool(_overview, ctx, me.athlete_id)
    if found is None:  # purged while signed in
        return render.message(request, 404, "Not found", "This service holds no data of yours.")
    return render.page(request, "overview.html", csrf=me.csrf, **found)


def _cursor(value: str | None) -> tuple[datetime, int] | None:
    match = _CURSOR.match(value or "")
    if match is None:
        return None
    seconds, act_id = int(match[1]), int(match[2])
    if act_id >= 2**63 or seconds > 7_258_118_400:  # 2200-01-01
        return None
    return datetime.fromtimestamp(seconds, UTC), act_id


def _list(
    ctx: WebContext, athlete_id: int, filters: ActivityFilter, before: tuple[datetime, int] | None
) -> tuple[my_activities.Page, list[str]]:
    with ctx.db.engine.connect() as conn:
        found = my_activities.page(conn, athlete_id, filters, before=before, limit=PAGE_SIZE)
        sports = my_activities.sports(conn, athlete_id)
    return found, sports


@router.get(
    "/me/activities",
    response_class=HTMLResponse,
    responses={**AUTH, **render.PAGE},
    summary="My activities",
)
async def activity_list(
    request: Request,
    me: Me,
    ctx: Ctx,
    sport: Annotated[str | None, Query(max_length=64), NoNul] = None,
    start: Day = None,
    end: Day = None,
    q: Annotated[str | None, Query(max_length=100), NoNul] = None,
    after: Annotated[str | None, Query(max_length=40), NoNul] = None,
) -> Response:
    start_day, end_day = _day(start, "start"), _day(end, "end")
    filters = ActivityFilter(
        sport=sport or None,
        since=datetime.combine(start_day, time(), UTC) if start_day else None,
        until=datetime.combine(end_day, time(), UTC) + timedelta(days=1) if end_day else None,
        search=(q or "").strip() or None,
    )
    found, sports = await run_in_threadpool(_list, ctx, me.athlete_id, filters, _cursor(after))
    next_query = None
    if found.next_cursor is not None:
        at, act_id = found.next_cursor
        params = {"sport": sport, "start": start, "end": end, "q": q}
        keep = {k: str(v) for k, v in params.items() if v}
        keep["after"] = f"{int(at.timestamp())}-{act_id}"
        next_query = urlencode(keep)
    return render.page(
        request,
        "activities.html",
        csrf=me.csrf,
        items=found.items,
        sports=sports,
        sport=sport or "",
        start=start_day.isoformat() if start_day else "",
        end=end_day.isoformat() if end_day else "",
        q=q or "",
        next_query=next_query,
        first_page=after is None,
    )


def _one(ctx: WebContext, athlete_id: int, activity_id: int) -> dict[str, Any] | None:
    with ctx.db.engine.connect() as conn:
        return my_activities.one(conn, athlete_id, activity_id)


@router.get(
    "/me/activities/{activity_id}",
    response_class=HTMLResponse,
    responses={**AUTH, **render.HTML},
    summary="One of my activities: numbers, laps, splits, best efforts, gear, route",
)
async def activity_page(request: Request, activity_id: StravaId, me: Me, ctx: Ctx) -> Response:
    row = await run_in_threadpool(_one, ctx, me.athlete_id, activity_id)
    if row is None:
        return render.not_found(request, me.csrf)
    tiles = ctx.settings.map_tile_url
    route = {"polyline": views.polyline(row), "tiles": tiles}
    resp = render.page(
        request,
        "activity.html",
        csrf=me.csrf,
        activity=row,
        numbers=views.numbers(row),
        laps=views.laps(row),
        splits=views.splits(row),
        efforts=views.best_efforts(row),
        gear=views.gear(row),
        has_route=route["polyline"] is not None,
        route_json=json.dumps(route).replace("<", "\\u003c"),
        has_detail=row.get("detail_json") is not None,
    )
    return render.with_tiles(resp, tiles)
