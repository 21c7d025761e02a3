"""The athlete's heatmap of every route and their charts (rollups, Eddington, records).

Data reaches the page's scripts as ``<script type="application/json">`` (the CSP allows no
inline script); the charts use the vendored Chart.js and the maps the vendored Leaflet.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from stravasync.stats.service import athlete_stats
from stravasync.store.people import my_activities
from stravasync.web.athlete import render, views
from stravasync.web.athlete.signed import AUTH, Me
from stravasync.web.context import WebContext
from stravasync.web.deps import Ctx

router = APIRouter(tags=["athlete"])
HEATMAP_ROUTES = 3000
"""The newest routes drawn (a summary polyline is ~1-2 KB: the page stays a few MB at most)."""


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")


def _routes(ctx: WebContext, athlete_id: int) -> list[str]:
    with ctx.db.engine.connect() as conn:
        return my_activities.polylines(conn, athlete_id, limit=HEATMAP_ROUTES)


@router.get(
    "/me/heatmap",
    response_class=HTMLResponse,
    responses={**AUTH, **render.PAGE},
    summary="Every route of mine on one map",
)
async def heatmap(request: Request, me: Me, ctx: Ctx) -> Response:
    lines = await run_in_threadpool(_routes, ctx, me.athlete_id)
    tiles = ctx.settings.map_tile_url
    resp = render.page(
        request,
        "heatmap.html",
        csrf=me.csrf,
        count=len(lines),
        limit=HEATMAP_ROUTES,
        routes_json=_json({"polylines": lines, "tiles": tiles}),
    )
    return render.with_tiles(resp, tiles)


def _stats(ctx: WebContext, athlete_id: int) -> dict[str, Any]:
    with ctx.db.engine.connect() as conn:
        return athlete_stats(conn, athlete_id)


@router.get(
    "/me/charts",
    response_class=HTMLResponse,
    responses={**AUTH, **render.PAGE},
    summary="My totals per week, month and year; Eddington number; records",
)
async def charts(request: Request, me: Me, ctx: Ctx) -> Response:
    stats = await run_in_threadpool(_stats, ctx, me.athlete_id)
    series = views.chart_series(stats["rollups"])
    return render.page(
        request,
        "charts.html",
        csrf=me.csrf,
        series=series,
        units=views.units(),
        chart_json=_json({"series": series, "units": views.units()}),
        eddington=views.eddington_rows(stats["eddington"]),
        records=stats["records"],
        count=stats["activity_count"],
    )
