"""Connecting an athlete: GET /connect sends them to Strava, GET /oauth/callback comes back.

``/connect`` is public: each client address may start a few per quarter hour and at most
:data:`oauth.MAX_PENDING_STATES` states wait at once (past it the oldest is dropped, so a flood
of starts from many addresses never locks a new visitor out). The state is also set as a
cookie, and the callback checks it came back to the same browser (no connecting someone else's
account into your session by a crafted link).

The callback checks the one-time state, then the granted scopes (before spending the code), then
exchanges the code; the athlete is created with a sync_state row due now, so the engine starts
their backfill. Every failure is a short page in plain words, never a stack trace or a token.
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from stravasync.errors import StravaSyncError
from stravasync.strava import oauth
from stravasync.strava.errors import (
    AppSuspended,
    AthleteCapacityExceeded,
    AuthorizationDenied,
    BudgetExhausted,
    Deferred,
    OAuthStateInvalid,
    ScopeMissing,
)
from stravasync.strava.setup import oauth_origin, scope_policy
from stravasync.web.auth import retry_after
from stravasync.web.bounds import NoNul
from stravasync.web.context import WebContext, connect_deps
from stravasync.web.deps import Ctx, client_address
from stravasync.web.pages import templates

log = logging.getLogger(__name__)
router = APIRouter(tags=["connect"])
STATE_COOKIE = "stravasync_oauth_state"
"""Binds a state to the browser that asked for it: the callback needs it back."""
PAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "connected"},
    400: {"content": {"text/html": {}}, "description": "expired link, denied or missing scope"},
    429: {"content": {"text/html": {}}, "description": "too many connections started"},
    502: {"content": {"text/html": {}}, "description": "Strava did not accept the code"},
    403: {"content": {"text/html": {}}, "description": "the athlete capacity is reached"},
    503: {
        "content": {"text/html": {}},
        "description": "Strava application not configured or suspended",
    },
}


def _page(request: Request, templates_: Jinja2Templates, status: int, **context: Any) -> Response:
    return templates_.TemplateResponse(request, "message.html", context, status_code=status)


def _safe_return(value: str | None) -> str | None:
    """Only a local path may be a return target (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@router.get(
    "/connect",
    response_class=RedirectResponse,
    status_code=303,
    responses={303: {"description": "to Strava's authorize page"}, **PAGE},
    summary="Start connecting a Strava account",
)
async def connect(
    request: Request,
    ctx: Ctx,
    return_to: Annotated[str | None, Query(max_length=512), NoNul] = None,
) -> Response:
    if not ctx.settings.client_id:
        return _page(
            request,
            templates,
            503,
            title="Not set up yet",
            message="This service has no Strava application configured "
            "(STRAVASYNC_CLIENT_ID). Ask its operator.",
        )
    now = ctx.clock.now()
    client = client_address(request)
    until = ctx.connect_limiter.blocked_until("connect", client, now)
    if until is not None:
        ctx.metrics.auth_refused.labels("connect", "limited").inc()
        return _busy(request, "You started connecting too often; wait a few minutes.", until, now)
    ctx.connect_limiter.record_failure("connect", client, now)  # every start counts
    state = await run_in_threadpool(
        partial(
            oauth.begin,
            ctx.db,
            now,
            return_to=_safe_return(return_to),
            max_pending=oauth.MAX_PENDING_STATES,
        )
    )
    url = oauth.authorize_url(
        oauth_origin(ctx.settings),
        client_id=ctx.settings.client_id,
        redirect_uri=ctx.settings.redirect_uri,
        state=state,
        scopes=scope_policy(ctx.settings).scopes,
    )
    resp = RedirectResponse(url, status_code=303)
    resp.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(oauth.STATE_TTL.total_seconds()),
        path="/oauth/callback",
        httponly=True,
        samesite="lax",  # sent on the top-level redirect back from Strava
        secure=ctx.settings.redirect_uri.startswith("https://"),
    )
    return resp


def _busy(request: Request, message: str, until: datetime | None, now: datetime) -> Response:
    resp = _page(request, templates, 429, title="Please wait", message=message)
    resp.headers["Retry-After"] = str(retry_after(until, now) if until else 60)
    return resp


def _same_browser(request: Request, state: str | None) -> bool:
    """The state came back to the browser that started it (the cookie set by /connect)."""
    cookie = request.cookies.get(STATE_COOKIE)
    if not cookie or not state:
        return False
    return hmac.compare_digest(cookie.encode(), state.encode())


def _complete(ctx: WebContext, redirect: oauth.Redirect) -> tuple[int, str | None]:
    """(athlete id, the return path given to /connect)."""
    deps = connect_deps(ctx)
    return_to = oauth.take_state(ctx.db, redirect.state, ctx.clock.now())
    policy = scope_policy(ctx.settings)
    athlete_id = oauth.complete(
        ctx.db,
        deps.client,
        deps.tokens,
        redirect,
        ctx.clock.now(),
        check_state=False,
        require_private=policy.require_private,
        require_scope=True,
        capacity=ctx.settings.athlete_capacity,
    )
    return athlete_id, return_to


@router.get(
    "/oauth/callback",
    response_class=HTMLResponse,
    responses={303: {"description": "connected: to the return_to path given to /connect"}, **PAGE},
    summary="Strava's redirect back: state check, scope check, code exchange",
)
async def callback(
    request: Request,
    ctx: Ctx,
    code: Annotated[str | None, Query(max_length=512), NoNul] = None,
    state: Annotated[str | None, Query(max_length=512), NoNul] = None,
    scope: Annotated[str | None, Query(max_length=512), NoNul] = None,
    error: Annotated[str | None, Query(max_length=512), NoNul] = None,
) -> Response:
    redirect = oauth.Redirect(code=code, state=state, scope=scope, error=error)
    try:
        if not _same_browser(request, state):
            raise OAuthStateInvalid()
        athlete_id, return_to = await run_in_threadpool(_complete, ctx, redirect)
    except OAuthStateInvalid:
        return _page(
            request,
            templates,
            400,
            title="This link has expired",
            message="The connection link was already used, is too old or was started in "
            "another browser. Please start again.",
            retry=True,
        )
    except ScopeMissing as exc:
        log.info("connection refused: scope %s missing", exc.scope)
        return _page(
            request, templates, 400, title="One permission is missing", message=str(exc), retry=True
        )
    except AuthorizationDenied:
        return _page(
            request,
            templates,
            400,
            title="Not connected",
            message="You did not authorize access on Strava, so nothing was connected.",
            retry=True,
        )
    except AthleteCapacityExceeded as exc:
        return _page(request, templates, 403, title="This service is full", message=str(exc))
    except AppSuspended:
        return _page(
            request,
            templates,
            503,
            title="Strava is not accepting this service right now",
            message="The service's Strava application is suspended; its operator has been told. "
            "Please try again later.",
            retry=True,
        )
    except Deferred as exc:
        return _deferred_page(request, exc, ctx.clock.now())
    except StravaSyncError as exc:
        log.warning("connection failed: %s", type(exc).__name__)
        return _page(
            request,
            templates,
            502,
            title="Strava did not accept the connection",
            message="Please try again in a minute.",
            retry=True,
        )
    log.info("athlete connected", extra={"athlete_id": athlete_id})
    if ctx.services.wake is not None:
        ctx.services.wake()
    target = _safe_return(return_to)
    done: Response
    if target is not None:
        done = RedirectResponse(target, status_code=303)
    else:
        done = _connected_page(request, athlete_id)
    done.delete_cookie(STATE_COOKIE, path="/oauth/callback")
    return done


def _deferred_page(request: Request, exc: Deferred, now: datetime) -> Response:
    """The code was not exchanged now: say whether Strava was asked, and how long to wait."""
    wait = retry_after(exc.retry_at, now)
    minutes = max(round(wait / 60), 1)
    when = f"{exc.retry_at:%H:%M} UTC, in about {minutes} minute{'s' if minutes > 1 else ''}"
    if isinstance(exc, BudgetExhausted):
        said = "Nothing was sent to Strava: this service has used its Strava request allowance"
    else:
        said = "Strava is limiting this service's requests"
    log.warning("connection deferred until %s (%s)", exc.retry_at.isoformat(), exc.limit_class)
    resp = _page(
        request,
        templates,
        503,
        title="Not connected yet",
        message=f"{said} until {when}. Please connect again then.",
        retry=True,
    )
    resp.headers["Retry-After"] = str(wait)
    return resp


def _connected_page(request: Request, athlete_id: int) -> Response:
    return _page(
        request,
        templates,
        200,
        title="Connected",
        message=f"Your Strava account (athlete {athlete_id}) is connected. Your "
        "activities are being copied now; the full history may take a while.",
        athlete_id=athlete_id,
    )
