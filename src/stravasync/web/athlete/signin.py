"""Sign in with Strava at ``/me``: the OAuth flow of :mod:`stravasync.strava.oauth`, ending in
an athlete session instead of a "connected" page.

``GET /me/signin`` shows the button; ``GET /me/signin/strava`` stores a one-time state (bound to
this browser by a cookie, limited per client address like ``/connect``) and sends the browser to
Strava; ``GET /me/callback`` checks the state and the scopes, exchanges the code (the tokens are
stored encrypted, a new athlete is created due for backfill, the capacity is respected) and
opens the session. Strava checks only the callback *domain*, so ``/me/callback`` is the path of
``STRAVASYNC_REDIRECT_URI`` replaced. (``POST /me/signout`` is among the controls.)
"""

from __future__ import annotations

import hmac
import logging
from functools import partial
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stravasync.config import Settings
from stravasync.errors import StravaSyncError
from stravasync.strava import oauth
from stravasync.strava.errors import (
    AppSuspended,
    AthleteCapacityExceeded,
    AuthorizationDenied,
    Deferred,
    OAuthStateInvalid,
    ScopeMissing,
)
from stravasync.strava.setup import oauth_origin, scope_policy
from stravasync.web.athlete import render, signed
from stravasync.web.auth import retry_after
from stravasync.web.bounds import NoNul
from stravasync.web.context import WebContext, connect_deps
from stravasync.web.deps import Ctx, client_address

log = logging.getLogger(__name__)
router = APIRouter(tags=["athlete"])
STATE_COOKIE = "stravasync_me_state"
CALLBACK = "/me/callback"
Text = Annotated[str | None, Query(max_length=512), NoNul]


def callback_uri(settings: Settings) -> str:
    """``STRAVASYNC_REDIRECT_URI`` with the path ``/me/callback`` (same origin)."""
    parts = urlsplit(settings.redirect_uri)
    return urlunsplit((parts.scheme, parts.netloc, CALLBACK, "", ""))


@router.get("/me/signin", response_class=HTMLResponse, summary="Sign in with Strava")
async def signin_page(request: Request, ctx: Ctx) -> Response:
    return render.page(request, "signin.html", configured=bool(ctx.settings.client_id))


@router.get(
    "/me/signin/strava",
    response_class=RedirectResponse,
    status_code=303,
    responses={
        303: {"description": "to Strava's authorize page"},
        **render.pages(429, 503, s429="too many sign-ins started", s503="no Strava application"),
    },
    summary="Start signing in: to Strava's authorize page",
)
async def signin_start(request: Request, ctx: Ctx) -> Response:
    if not ctx.settings.client_id:
        return render.message(
            request, 503, "Not set up yet", "This service has no Strava application configured."
        )
    now = ctx.clock.now()
    client = client_address(request)
    until = ctx.connect_limiter.blocked_until("connect", client, now)
    if until is not None:
        resp = render.message(request, 429, "Please wait", "Too many sign-ins started; wait.")
        resp.headers["Retry-After"] = str(retry_after(until, now))
        return resp
    ctx.connect_limiter.record_failure("connect", client, now)
    state = await run_in_threadpool(
        partial(oauth.begin, ctx.db, now, return_to="/me", max_pending=oauth.MAX_PENDING_STATES)
    )
    url = oauth.authorize_url(
        oauth_origin(ctx.settings),
        client_id=ctx.settings.client_id,
        redirect_uri=callback_uri(ctx.settings),
        state=state,
        scopes=scope_policy(ctx.settings).scopes,
    )
    resp = RedirectResponse(url, status_code=303)
    resp.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(oauth.STATE_TTL.total_seconds()),
        path=CALLBACK,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.public_url.startswith("https://"),
    )
    return resp


def _complete(ctx: WebContext, redirect: oauth.Redirect) -> int:
    deps = connect_deps(ctx)
    oauth.take_state(ctx.db, redirect.state, ctx.clock.now())
    policy = scope_policy(ctx.settings)
    return oauth.complete(
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


def _refusal(request: Request, exc: Exception, ctx: WebContext) -> Response:
    """The plain-words page for a sign-in that did not complete."""
    again = {"retry": True}
    if isinstance(exc, OAuthStateInvalid):
        text = "The sign-in link was already used, is too old or was started in another browser."
        return render.message(request, 400, "This link has expired", text, **again)
    if isinstance(exc, ScopeMissing):
        return render.message(request, 400, "One permission is missing", str(exc), **again)
    if isinstance(exc, AuthorizationDenied):
        text = "You did not authorize access on Strava, so you are not signed in."
        return render.message(request, 400, "Not signed in", text, **again)
    if isinstance(exc, AthleteCapacityExceeded):
        return render.message(request, 403, "This service is full", str(exc))
    if isinstance(exc, AppSuspended):
        text = "The service's Strava application is suspended. Please try again later."
        return render.message(request, 503, "Strava is not accepting this service", text)
    if isinstance(exc, Deferred):
        wait = retry_after(exc.retry_at, ctx.clock.now())
        text = f"Strava cannot be asked right now; try again after {exc.retry_at:%H:%M} UTC."
        resp = render.message(request, 503, "Not signed in yet", text, **again)
        resp.headers["Retry-After"] = str(wait)
        return resp
    log.warning("sign-in failed: %s", type(exc).__name__)
    text = "Strava did not accept the sign-in. Please try again in a minute."
    return render.message(request, 502, "Not signed in", text, **again)


@router.get(
    CALLBACK,
    response_class=HTMLResponse,
    responses={
        303: {"description": "signed in: to /me"},
        **render.pages(
            400,
            403,
            502,
            503,
            s400="expired link, denied or missing scope",
            s403="the athlete capacity is reached",
            s502="Strava did not accept the code",
            s503="Strava deferred or the application is suspended",
        ),
    },
    summary="Strava's redirect back: state, scopes, code exchange, then the session",
)
async def signin_callback(
    request: Request,
    ctx: Ctx,
    code: Text = None,
    state: Text = None,
    scope: Text = None,
    error: Text = None,
) -> Response:
    redirect = oauth.Redirect(code=code, state=state, scope=scope, error=error)
    cookie = request.cookies.get(STATE_COOKIE)
    try:
        if not cookie or not state or not hmac.compare_digest(cookie.encode(), state.encode()):
            raise OAuthStateInvalid()
        athlete_id = await run_in_threadpool(_complete, ctx, redirect)
    except StravaSyncError as exc:
        return _refusal(request, exc, ctx)
    log.info("athlete signed in", extra={"athlete_id": athlete_id})
    if ctx.services.wake is not None:
        ctx.services.wake()
    done = RedirectResponse("/me", status_code=303)
    await run_in_threadpool(signed.open_session, ctx, done, athlete_id)
    done.delete_cookie(STATE_COOKIE, path=CALLBACK)
    return done
