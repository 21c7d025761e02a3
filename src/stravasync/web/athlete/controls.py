"""Mine to control: sync now, pause or resume my sync, disconnect, delete my data now.

Each is a POST from a ``/me`` form carrying the session's CSRF token, each is written to the
audit log (``athlete_actions``), and each acts on the session's athlete only. "Sync now" is
limited per athlete (:data:`stravasync.store.me.SYNC_EVERY`, counted from the audit log, so
every process agrees);
its progress is ``GET /me/sync/status``, which the overview polls.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stravasync.errors import StravaSyncError
from stravasync.store import athletes as athlete_q
from stravasync.store import me as me_q
from stravasync.store import purge, syncstate
from stravasync.strava.errors import NotConnected, TokenRevoked
from stravasync.web.athlete import progress, render, signed
from stravasync.web.athlete.signed import AUTH, Me
from stravasync.web.auth import retry_after
from stravasync.web.context import WebContext, connect_deps
from stravasync.web.deps import Ctx

log = logging.getLogger(__name__)
router = APIRouter(tags=["athlete"])
DONE: dict[int | str, dict[str, Any]] = {
    **AUTH,
    303: {"description": "done: back to /me (or, with no session, to /me/signin)"},
}


def _back() -> Response:
    return RedirectResponse("/me", status_code=303)


def _sync(ctx: WebContext, athlete_id: int) -> tuple[str, datetime | None]:
    now = ctx.clock.now()
    with ctx.db.transaction() as conn:
        athlete = athlete_q.get_athlete(conn, athlete_id)
        if athlete is None or athlete["status"] != "active":
            return "inactive", None
        until = me_q.next_allowed(me_q.last_sync_asked_at(conn, athlete_id), now, me_q.SYNC_EVERY)
        if until is not None:
            return "limited", until
        syncstate.request_mode(conn, athlete_id, "incremental", now)
        me_q.record(conn, athlete_id, "sync", now)
    return "asked", None


@router.post(
    "/me/sync",
    response_class=HTMLResponse,
    responses={
        **DONE,
        **render.pages(409, 429, s409="not connected (or blocked)", s429="asked too often"),
    },
    summary="Sync now",
)
async def sync_now(request: Request, me: Me, ctx: Ctx) -> Response:
    outcome, until = await run_in_threadpool(_sync, ctx, me.athlete_id)
    if outcome == "inactive":
        text = "Your Strava connection is not active: sign in with Strava again to sync."
        return render.message(request, 409, "Cannot sync now", text, csrf=me.csrf)
    if outcome == "limited" and until is not None:
        wait = retry_after(until, ctx.clock.now())
        text = f"A sync was asked for a moment ago; you can ask again at {until:%H:%M} UTC."
        resp = render.message(request, 429, "Sync already asked for", text, csrf=me.csrf)
        resp.headers["Retry-After"] = str(wait)
        return resp
    if ctx.services.wake is not None:
        ctx.services.wake()
    return _back()


def _progress(ctx: WebContext, athlete_id: int) -> progress.SyncProgress:
    with ctx.db.engine.connect() as conn:
        found = progress.sync_progress(conn, athlete_id, ctx.clock.now())
    return progress.SyncProgress(**found, text=progress.describe(found))


@router.get(
    "/me/sync/status",
    response_model=progress.SyncProgress,
    responses=AUTH,
    summary="My sync's progress (JSON)",
)
async def sync_status(me: Me, ctx: Ctx, response: Response) -> progress.SyncProgress:
    response.headers["Cache-Control"] = "no-store"
    return await run_in_threadpool(_progress, ctx, me.athlete_id)


def _set_auto(ctx: WebContext, athlete_id: int, auto: bool) -> None:
    now = ctx.clock.now()
    with ctx.db.transaction() as conn:
        athlete_q.set_flags(conn, athlete_id, now=now, auto_sync=auto)
        me_q.record(conn, athlete_id, "resume" if auto else "pause", now)


@router.post("/me/pause", response_class=HTMLResponse, responses=DONE, summary="Pause my sync")
async def pause(me: Me, ctx: Ctx) -> Response:
    await run_in_threadpool(_set_auto, ctx, me.athlete_id, False)
    return _back()


@router.post("/me/resume", response_class=HTMLResponse, responses=DONE, summary="Resume my sync")
async def resume(me: Me, ctx: Ctx) -> Response:
    await run_in_threadpool(_set_auto, ctx, me.athlete_id, True)
    return _back()


def _disconnect(ctx: WebContext, athlete_id: int) -> None:
    now = ctx.clock.now()
    purge_at = now + timedelta(days=ctx.settings.sync_purge_grace_days)
    with suppress(NotConnected, TokenRevoked):  # already disconnected: its purge date stands
        connect_deps(ctx).tokens.disconnect(
            athlete_id, now, purge_at=purge_at, reason="disconnected by the athlete"
        )
    with ctx.db.transaction() as conn:
        me_q.record(conn, athlete_id, "disconnect", now)


@router.post(
    "/me/disconnect",
    response_class=HTMLResponse,
    responses={**DONE, **render.pages(503, s503="Strava could not be reached")},
    summary="Disconnect: revoke on Strava, my data purged after the grace period",
)
async def disconnect(request: Request, me: Me, ctx: Ctx) -> Response:
    try:
        await run_in_threadpool(_disconnect, ctx, me.athlete_id)
    except StravaSyncError as exc:
        log.warning("athlete disconnect failed: %s", type(exc).__name__)
        text = "Strava could not be reached to withdraw the authorization; please try again."
        return render.message(request, 503, "Not disconnected", text, csrf=me.csrf)
    log.info("athlete disconnected themselves", extra={"athlete_id": me.athlete_id})
    return _back()


def _delete(ctx: WebContext, athlete_id: int) -> dict[str, int]:
    now = ctx.clock.now()
    deps = connect_deps(ctx)
    with ctx.db.transaction() as conn:
        me_q.record(conn, athlete_id, "delete", now)  # kept, without the id, by the purge
        athlete_q.set_status(
            conn, athlete_id, "deauthorized", reason="deleted by the athlete", now=now
        )
    deps.tokens.revoke_held(athlete_id)  # a token still held dies on Strava first
    with ctx.db.transaction() as conn:
        return purge.purge_on_request(conn, athlete_id, now=now)


@router.post(
    "/me/delete",
    response_class=HTMLResponse,
    responses={**DONE, **render.pages(400, s400="not confirmed: nothing deleted")},
    summary="Delete my data now (revokes on Strava too)",
)
async def delete_now(
    request: Request,
    me: Me,
    ctx: Ctx,
    confirm: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    if confirm != "delete":
        text = 'Type "delete" in the box to confirm; nothing was deleted.'
        return render.message(request, 400, "Not deleted", text, csrf=me.csrf)
    removed = await run_in_threadpool(_delete, ctx, me.athlete_id)
    log.info("athlete deleted their data: %s rows", sum(removed.values()))
    resp = render.message(
        request,
        200,
        "Your data is deleted",
        "Everything this service held about you is gone, and its access to your Strava "
        "account is withdrawn.",
    )
    signed.forget_cookie(ctx, resp)
    return resp


@router.post(
    "/me/signout",
    response_class=RedirectResponse,
    status_code=303,
    responses={**AUTH, 303: {"description": "to the sign-in page"}},
    summary="Sign out (this browser)",
)
async def signout(request: Request, me: Me, ctx: Ctx) -> Response:
    done = RedirectResponse("/me/signin?out=1", status_code=303)
    await run_in_threadpool(signed.close_session, ctx, request, done, me.athlete_id)
    return done
