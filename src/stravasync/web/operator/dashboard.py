"""The operator's dashboard at /admin: server-rendered (Jinja2) with a little plain JS.

Login: a form that checks the admin token and starts a signed, expiring browser session
(:mod:`stravasync.web.session`); the JSON admin API accepts that session too (POSTs with the
page's CSRF token), so the page's scripts call it directly. The token itself is never stored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stravasync.store import admin as admin_q
from stravasync.store import appstate as appstate_q
from stravasync.store import athlete_pages, syncstate
from stravasync.store import athletes as athlete_q
from stravasync.store import gear as gear_q
from stravasync.store import inbox as inbox_q
from stravasync.store import me as me_q
from stravasync.store import sessions as session_q
from stravasync.store.athlete_pages import AthleteQuery
from stravasync.store.schema import ATHLETE_STATUSES
from stravasync.strava.platform import athletes_against_tier
from stravasync.strava.setup import limits_from_settings
from stravasync.strava.tiers import STATED_LIMITS_KEY, tier_note
from stravasync.sync.settings import WEBHOOK_CALLBACK_KEY, WEBHOOK_SUBSCRIPTION_KEY
from stravasync.web import session
from stravasync.web.auth import bearer_of
from stravasync.web.bounds import Cursor, NoNul, StravaId
from stravasync.web.context import WebContext
from stravasync.web.deps import Ctx, check_token, secret_ok
from stravasync.web.operator import charts
from stravasync.web.operator.athletes import AthleteStatus
from stravasync.web.operator.ops import dead_letter_items
from stravasync.web.pages import templates
from stravasync.web.schemas import Problem

router = APIRouter(tags=["dashboard"])
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "page"}}
PAGE_AUTH: dict[int | str, dict[str, Any]] = {
    303: {"description": "not logged in: to the login form"},
    401: {"model": Problem, "description": "wrong Bearer token"},
    429: {"model": Problem, "description": "too many wrong tokens from this client"},
}


def _authed(request: Request, ctx: WebContext) -> bool:
    """A Bearer token is checked (and limited) like on the admin API; else the session."""
    given = bearer_of(request.headers.get("authorization"))
    if given is not None:
        check_token(request, ctx, given, ctx.settings.admin_token, "admin")
        return True
    return session.is_admin(request, ctx.clock.now())


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/admin/login", status_code=303)


def _login_page(request: Request, error: str | None, status_code: int = 200) -> Response:
    session.csrf_token(request)
    return templates.TemplateResponse(
        request, "login.html", {"error": error}, status_code=status_code
    )


@router.get("/admin/login", response_class=HTMLResponse, responses=HTML, summary="Login form")
async def login_form(request: Request) -> Response:
    return _login_page(request, None)


@router.post(
    "/admin/login",
    response_class=HTMLResponse,
    responses={
        **HTML,
        303: {"description": "logged in: to /admin"},
        401: {"content": {"text/html": {}}, "description": "wrong token"},
        403: {"content": {"text/html": {}}, "description": "the form's CSRF token is missing"},
        429: {"content": {"text/html": {}}, "description": "too many wrong tokens"},
    },
    summary="Check the admin token and start a browser session",
)
async def login(
    request: Request,
    ctx: Ctx,
    token: Annotated[str, Form(max_length=512)],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    if not session.csrf_ok(request, csrf):
        return _login_page(request, "The form expired; please sign in again.", 403)
    try:
        ok = secret_ok(request, ctx, token, ctx.settings.admin_token, "login")
    except HTTPException as exc:
        resp = _login_page(request, "Too many wrong tokens; wait a while.", exc.status_code)
        resp.headers.update(exc.headers or {})
        return resp
    if not ok:
        return _login_page(request, "Wrong token.", 401)
    session.log_in(request, ctx.clock.now())
    return RedirectResponse("/admin", status_code=303)


@router.post(
    "/admin/logout",
    responses={
        303: {"description": "to the login form, session ended"},
        403: {"content": {"text/html": {}}, "description": "the form's CSRF token is missing"},
    },
    summary="End the browser session",
)
async def logout(request: Request, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    if not session.csrf_ok(request, csrf):
        return _login_page(request, "The form expired; sign in again to sign out.", 403)
    session.log_out(request)
    return _login_redirect()


PAGE_SIZE = 50
EXPORT_MODES = ("export", "warehouse")  # stravasync.export.runs.MODES (web imports no exporter)
EXPORT_RUNS = 10


def _overview(ctx: WebContext, query: AthleteQuery, after_id: int | None) -> dict[str, Any]:
    now = ctx.clock.now()
    with ctx.db.engine.connect() as conn:
        found = athlete_pages.page(conn, query, after_id=after_id, limit=PAGE_SIZE)
        quota = admin_q.quota_now(conn)
        history = admin_q.quota_history(conn, since=now - timedelta(hours=24))
        paused = syncstate.scheduler_paused(conn)
        jobs = admin_q.scheduler_jobs_list(conn)
        lines = admin_q.recent_logs(conn, limit=50)
        app_state = appstate_q.get(conn)
        connected = athlete_q.connected_count(conn)
        stated = admin_q.get_setting(conn, STATED_LIMITS_KEY)
        exports = session_q.recent_runs(conn, modes=EXPORT_MODES, limit=EXPORT_RUNS)
        webhook = {
            "id": admin_q.get_setting(conn, WEBHOOK_SUBSCRIPTION_KEY),
            "callback": admin_q.get_setting(conn, WEBHOOK_CALLBACK_KEY),
            "last_event_at": inbox_q.last_received_at(conn),
        }
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
                "chart": charts.quota_chart(
                    series, name=f"{q['limit_class']} / {q['window']}", limit=line
                ),
            }
        )
    return {
        "now": now,
        "athletes": [
            {
                **a.as_json(),
                "freshness": charts.freshness(a.last_success_at, now),
                "purge_after": a.purge_after,
            }
            for a in found.items
        ],
        "total": found.total,
        "filters": {"q": query.search or "", "status": query.status or ""},
        "statuses": ATHLETE_STATUSES,
        "next_query": _page_query(query, found.next_after_id),
        "paged": after_id is not None,
        "gauges": gauges,
        "tier": tier_note(stated, limits_from_settings(ctx.settings)),
        "paused": paused,
        "jobs": jobs,
        "lines": lines,
        "last_log_id": lines[-1]["id"] if lines else 0,
        "dead": dead_letter_items(ctx).items,
        "app_state": app_state,
        "connected": connected,
        "capacity": ctx.settings.athlete_capacity,
        "athletes_note": athletes_against_tier(connected, ctx.settings.athlete_capacity),
        "exports": [_run(r) for r in exports],
        "webhook": webhook,
    }


def _run(row: dict[str, Any]) -> dict[str, Any]:
    """An export or warehouse run as the dashboard lists it."""
    summary = row.get("summary_json") or {}
    rows = summary.get("rows") or {}
    return {
        "started_at": row["started_at"],
        "mode": row["mode"],
        "format": summary.get("format", ""),
        "trigger": row["trigger"],
        "status": row["status"],
        "seconds": summary.get("seconds"),
        "rows": ", ".join(f"{k} {v}" for k, v in rows.items()),
        "stages": summary.get("stage_seconds") or {},
        "error": summary.get("error") or "",
    }


@router.get(
    "/admin",
    response_class=HTMLResponse,
    responses={**HTML, **PAGE_AUTH},
    summary="The operator dashboard",
)
async def dashboard(
    request: Request,
    ctx: Ctx,
    q: Annotated[str | None, Query(max_length=128, description="name prefix or id"), NoNul] = None,
    status_filter: Annotated[AthleteStatus | Literal[""] | None, Query(alias="status")] = None,
    after_id: Annotated[Cursor | None, Query(description="the next page's cursor")] = None,
) -> Response:
    if not _authed(request, ctx):
        return _login_redirect()
    query = AthleteQuery(status=status_filter or None, search=q or None)
    context = await run_in_threadpool(_overview, ctx, query, after_id)
    return templates.TemplateResponse(request, "dashboard.html", context)


def _page_query(query: AthleteQuery, next_after_id: int | None) -> str | None:
    """The next page's query string (the filters kept), None on the last page."""
    if next_after_id is None:
        return None
    params = {"q": query.search or "", "status": query.status or "", "after_id": next_after_id}
    return urlencode({k: v for k, v in params.items() if v != ""})


def _athlete(ctx: WebContext, athlete_id: int) -> dict[str, Any] | None:
    now = ctx.clock.now()
    with ctx.db.engine.connect() as conn:
        over = athlete_q.overview(conn, athlete_id=athlete_id)
        if not over:
            return None
        sessions = session_q.recent_sessions(conn, limit=20, athlete_id=athlete_id)
        stats = _stats(ctx, conn, athlete_id)
        gear = gear_q.for_athlete(conn, athlete_id)
        actions = me_q.recent_actions(conn, athlete_id, limit=20)
    monthly = charts.monthly_distance_km(stats)[-24:]
    return {
        "now": now,
        "a": {
            **over[0].as_json(),
            "freshness": charts.freshness(over[0].last_success_at, now),
            "purge_after": over[0].purge_after,
        },
        "sessions": sessions,
        "chart": charts.monthly_chart(monthly),
        "stats": stats,
        "gear": gear,
        "actions": actions,
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
    responses={**HTML, **PAGE_AUTH, 404: {"model": Problem, "description": "unknown"}},
    summary="One athlete: status, sessions, monthly distance, gear and the audit log of actions",
)
async def athlete_page(athlete_id: StravaId, request: Request, ctx: Ctx) -> Response:
    if not _authed(request, ctx):
        return _login_redirect()
    context = await run_in_threadpool(_athlete, ctx, athlete_id)
    if context is None:
        raise HTTPException(404, f"no athlete {athlete_id}")
    return templates.TemplateResponse(request, "athlete.html", context)
