"""The athlete's browser session at ``/me``: its own cookie, state in the database.

Separate from the operator's dashboard session (:mod:`stravasync.web.session`): another cookie
(``stravasync_me``, path ``/me``), HttpOnly, SameSite=Lax (it must survive the top-level
redirect back from Strava), Secure when ``STRAVASYNC_PUBLIC_URL`` is https. The cookie holds a
random secret; the database keeps only its SHA-256 with the athlete id, a CSRF token and the
expiry (:data:`SESSION_TTL`), so signing out, disconnecting or a purge ends it everywhere.

:func:`signed_in` is the dependency of every ``/me`` page: without a live session a browser
(``Accept: text/html``: a page, or a form whose session expired) is sent to the sign-in page
(303) and a script gets 401; a POST must echo the session's CSRF token (form field ``csrf`` or
header ``X-CSRF-Token``), else 403.
The athlete id of every query comes from here, never from the URL.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from stravasync.store.people import me as me_q
from stravasync.web.context import WebContext
from stravasync.web.deps import Ctx
from stravasync.web.schemas import Problem

COOKIE = "stravasync_me"
SESSION_TTL = timedelta(days=7)
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN = "/me/signin"
_MAX_SECRET = 128
AUTH: dict[int | str, dict[str, Any]] = {
    303: {"description": "no session, a browser (Accept: text/html): to /me/signin"},
    401: {"model": Problem, "description": "no session (sign in at /me/signin)"},
    403: {"model": Problem, "description": "a POST without the session's CSRF token"},
}


@dataclass(frozen=True, slots=True)
class Signed:
    """A live session: whose it is and the CSRF token its forms carry."""

    athlete_id: int
    csrf: str


def _secure(ctx: WebContext) -> bool:
    return ctx.settings.public_url.startswith("https://")


def open_session(ctx: WebContext, response: Response, athlete_id: int) -> None:
    """Start a session for ``athlete_id`` (audited) and set its cookie on ``response``."""
    secret = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    with ctx.db.transaction() as conn:
        me_q.prune_sessions(conn, now)
        me_q.open_session(
            conn,
            secret,
            athlete_id=athlete_id,
            csrf=secrets.token_urlsafe(32),
            now=now,
            expires_at=now + SESSION_TTL,
        )
        me_q.record(conn, athlete_id, "sign_in", now)
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(SESSION_TTL.total_seconds()),
        path="/me",
        httponly=True,
        samesite="lax",
        secure=_secure(ctx),
    )


def close_session(ctx: WebContext, request: Request, response: Response, athlete_id: int) -> None:
    secret = request.cookies.get(COOKIE)
    with ctx.db.transaction() as conn:
        if secret:
            me_q.close_session(conn, secret)
        me_q.record(conn, athlete_id, "sign_out", ctx.clock.now())
    forget_cookie(ctx, response)


def forget_cookie(ctx: WebContext, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/me", httponly=True, samesite="lax", secure=_secure(ctx))


def _find(ctx: WebContext, secret: str) -> me_q.AthleteSession | None:
    with ctx.db.engine.connect() as conn:
        return me_q.find_session(conn, secret, ctx.clock.now())


async def _csrf_given(request: Request) -> str | None:
    given = request.headers.get(CSRF_HEADER)
    if given:
        return given
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def signed_in(request: Request, ctx: Ctx) -> Signed:
    """The session's athlete (see the module docstring for what is refused, and how)."""
    secret = request.cookies.get(COOKIE)
    found = None
    if secret and len(secret) <= _MAX_SECRET:
        found = await run_in_threadpool(_find, ctx, secret)
    if found is None:
        if "text/html" in request.headers.get("accept", ""):  # a browser: to the sign-in page
            raise HTTPException(
                status.HTTP_303_SEE_OTHER, "sign in first", headers={"Location": SIGN_IN}
            )
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"sign in at {SIGN_IN} first")
    if request.method not in SAFE_METHODS:
        given = await _csrf_given(request)
        if not given or not hmac.compare_digest(given.encode(), found.csrf.encode()):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")
    return Signed(athlete_id=found.athlete_id, csrf=found.csrf)


Me = Annotated[Signed, Depends(signed_in)]
