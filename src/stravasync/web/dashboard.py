"""The operator's dashboard at /admin: server-rendered (Jinja2) with a little plain JS.

Login: a form that checks the admin token and stores it in an HttpOnly, SameSite=Strict cookie;
the JSON admin API accepts that cookie too, so the page's scripts call it directly.
"""

from __future__ import annotations

from datetime import timedelta
from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from stravasync.store import admin as admin_q
from stravasync.store import appstate as appstate_q
from stravasync.store import athletes as athlete_q
from stravasync.store import sessions as session_q
from stravasync.store import syncstate
from stravasync.web import charts
from stravasync.web.admin_ops import dead_letter_items
from stravasync.web.auth import ADMIN_COOKIE, bearer_of, token_matches
from stravasync.web.context import WebContext
from stravasync.web.deps import Ctx, check_token

templates = Jinja2Templates(directory=str(files("stravasync.web") / "templates"))
router = APIRouter(tags=["dashboard"])
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "page"}}


def _authed(request: Request, ctx: WebContext) -> bool:
    given = bearer_of(request.headers.get("authorization")) or request.cookies.get(ADMIN_COOKIE)
    return token_matches(given, ctx.settings.admin_token)


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/admin/login", status_code=303)


@router.get("/admin/login", response_class=HTMLResponse, responses=HTML, summary="Login form")
async def login_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": None})


@router.post(
    "/admin/login",
    response_class=HTMLResponse,
    responses={**HTML, 303: {"description": "logged in: to /admin"}},
    summary="Check the admin token and set the session cookie",
)
async def login(
    request: Request, ctx: Ctx, token: Annotated[str, Form(max_length=512)]
) -> Response:
    try:
        check_token(request, ctx, token, ctx.settings.admin_token, "admin")
    except HTTPException as exc:
        message = "Wrong token." if exc.status_code == 401 else "Too many attempts; wait a while."
        return templates.TemplateResponse(
            request, "login.html", {"error": message}, status_code=exc.status_code
        )
    resp = RedirectResponse("/admin", status_code=303)
    resp.set_cookie(
        ADMIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.public_url.startswith("https://"),
        max_age=7 * 86400,
        path="/",
    )
    return resp


@router.post("/admin/logout", responses={303: {"description": "to the login form"}})
async def logout() -> Response:
    resp = _login_redirect()
    resp.delete_cookie(ADMIN_COOKIE, path="/")
    return resp


def _overview(ctx: WebContext) -> dict[str, Any]:
    now = ctx.clock.now()
    with ctx.db.engine.connect() as conn:
        athletes = athlete_q.overview(conn)
        quota = admin_q.quota_now(conn)
        history = admin_q.quota_history(conn, since=now - timedelta(hours=24))
        paused = syncstate.scheduler_paused(conn)
        jobs = admin_q.scheduler_jobs_list(conn)
        lines = admin_q.recent_logs(conn, limit=50)
        app_state = appstate_q.get(conn)
        connected = athlete_q.connected_count(conn)
    gauges = []
    for q in quota:
        # the chart shows use per 15-minute window for both windows of a limit class; the
        # 15-minute gauge draws its limit as a line
        series = charts.history_series(history, q["limit_class"], "15min")
        line = q["limit_value"] if q["window"] == "15min" else None
        gauges.append(
            {
                "name": f"{q['limit_class']} / {q['window']}",
                "used": q["used"],
                "limit": q["limit_value"],
                "percent": charts.gauge_percent(q["used"], q["limit_value"]),
                "closed_until": q["closed_until"],
                "chart": charts.bar_chart(series, limit=line),
            }
        )
    return {
        "now": now,
        "athletes": [
            {**a.as_json(), "freshness": charts.freshness(a.last_success_at, now)} for a in athletes
        ],
        "gauges": gauges,
        "paused": paused,
        "jobs": jobs,
        "lines": lines,
        "last_log_id": lines[-1]["id"] if lines else 0,
        "dead": dead_letter_items(ctx).items,
        "app_state": app_state,
        "connected": connected,
        "capacity": ctx.settings.athlete_capacity,
    }


@router.get(
    "/admin",
    response_class=HTMLResponse,
    responses={**HTML, 303: {"description": "not logged in: to the login form"}},
    summary="The operator dashboard",
)
async def dashboard(request: Request, ctx: Ctx) -> Response:
    if not _authed(request, ctx):
        return _login_redirect()
    context = await run_in_threadpool(_overview, ctx)
    return templates.TemplateResponse(request, "dashboard.html", context)


def _athlete(ctx: WebContext, athlete_id: int) -> dict[str, Any] | None:
    now = ctx.clock.now()
    with ctx.db.engine.connect() as conn:
        over = [o for o in athlete_q.overview(conn) if o.athlete_id == athlete_id]
        if not over:
            return None
        sessions = session_q.recent_sessions(conn, limit=20, athlete_id=athlete_id)
        stats = _stats(ctx, conn, athlete_id)
    monthly = charts.monthly_distance_km(stats)[-24:]
    return {
        "now": now,
        "a": {**over[0].as_json(), "freshness": charts.freshness(over[0].last_success_at, now)},
        "sessions": sessions,
        "chart": charts.bar_chart(monthly, width=600, height=160),
        "stats": stats,
    }


def _stats(ctx: WebContext, conn: Any, athlete_id: int) -> dict[str, Any]:
    fn = ctx.services.stats
    if fn is None:
        from stravasync.stats.service import athlete_stats

        fn = athlete_stats
    return fn(conn, athlete_id)


@router.get(
    "/admin/athletes/{athlete_id}",
    response_class=HTMLResponse,
    responses={**HTML, 303: {"description": "not logged in"}, 404: {"description": "unknown"}},
    summary="One athlete: status, sessions and monthly distance",
)
async def athlete_page(athlete_id: int, request: Request, ctx: Ctx) -> Response:
    if not _authed(request, ctx):
        return _login_redirect()
    context = await run_in_threadpool(_athlete, ctx, athlete_id)
    if context is None:
        raise HTTPException(404, f"no athlete {athlete_id}")
    return templates.TemplateResponse(request, "athlete.html", context)
