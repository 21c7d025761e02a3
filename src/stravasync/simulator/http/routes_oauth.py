"""OAuth: authorize page (with sim_athlete_id / sim_scope automation), token, deauthorize, revoke.

Served under /oauth and /api/v3/oauth, as on www.strava.com; on a 2027 simulator under /oauth
only, without /oauth/deauthorize (retired: 404).
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from stravasync.simulator.content.render import athlete_json
from stravasync.simulator.errors import CapacityExceeded
from stravasync.simulator.http.routes_api import bearer, json_response
from stravasync.simulator.oauth import SCOPES, parse_scope, scope_text
from stravasync.simulator.responses import (
    ApiError,
    capacity_exceeded,
    client_id_invalid,
    client_invalid,
    fault,
)
from stravasync.simulator.responses import check_client as check_credentials

if TYPE_CHECKING:
    from stravasync.simulator.core import Simulator


async def params(request: Request) -> dict[str, str]:
    """Query string, form body and JSON body merged (Strava accepts all three)."""
    out: dict[str, str] = dict(request.query_params)
    ctype = request.headers.get("content-type", "")
    if "application/json" in ctype:
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError:
            data = {}
        if isinstance(data, dict):
            out.update({k: str(v) for k, v in data.items()})
    elif "form" in ctype:
        form = await request.form()
        out.update({k: str(v) for k, v in form.items()})
    return out


def _redirect(uri: str, values: dict[str, str]) -> RedirectResponse:
    sep = "&" if "?" in uri else "?"
    return RedirectResponse(uri + sep + urlencode(values), status_code=302)


def oauth_router(sim: Simulator, prefix: str, *, deauthorize: bool = True) -> APIRouter:
    """``deauthorize``: serve ``POST /oauth/deauthorize`` (retired on the 2027 platform)."""
    router = APIRouter(prefix=prefix)

    def check_client(p: dict[str, str]) -> None:
        if sim.faults.invalid_client:  # the secret was revoked on Strava
            raise client_invalid()
        check_credentials(p, sim.client_id, sim.client_secret)

    @router.get("/authorize", response_model=None)
    async def authorize(request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != sim.client_id:
            raise client_id_invalid()
        redirect_uri = q.get("redirect_uri", "")
        if not redirect_uri:
            raise ApiError(400, fault("Bad Request", "Application", "redirect_uri", "invalid"))
        state = q.get("state", "")
        requested = parse_scope(q.get("scope"))
        if q.get("sim_action") == "deny" or q.get("sim_deny") in ("1", "true"):
            return _redirect(redirect_uri, {"state": state, "error": "access_denied"})
        athlete = q.get("sim_athlete_id")
        if athlete is None:
            return HTMLResponse(_page(sim, request, requested))
        try:
            athlete_id = int(athlete)
        except ValueError as exc:
            raise ApiError(400, fault("Bad Request", "Athlete", "id", "invalid")) from exc
        if not sim.world.exists(athlete_id):
            raise ApiError(404, fault("Record Not Found", "Athlete", "id", "invalid"))
        chosen = q.getlist("sim_scope")
        granted = parse_scope(",".join(chosen)) if chosen else requested
        granted = granted & requested if chosen else granted
        try:
            code = sim.oauth.issue_code(athlete_id, granted, sim.now())
        except CapacityExceeded as exc:
            raise capacity_exceeded() from exc
        return _redirect(redirect_uri, {"state": state, "code": code, "scope": scope_text(granted)})

    @router.post("/token")
    async def token(request: Request) -> Response:
        p = await params(request)
        check_client(p)
        now = sim.now()
        grant_type = p.get("grant_type", "")
        if grant_type == "authorization_code":
            issued, _scope = sim.oauth.exchange(p.get("code", ""), now)
            athlete = sim.world.profile(issued.access.athlete_id)
            sim.world.state(athlete.id, now)  # connecting materializes the athlete
            return json_response(
                {
                    "token_type": "Bearer",
                    "expires_at": issued.access.expires_at,
                    "expires_in": issued.access.expires_at - now,
                    "refresh_token": issued.refresh_token,
                    "access_token": issued.access.token,
                    "athlete": athlete_json(athlete, now, detailed=False),
                }
            )
        if grant_type == "refresh_token":
            issued = sim.oauth.refresh_grant(p.get("refresh_token", ""), now)
            return json_response(
                {
                    "token_type": "Bearer",
                    "access_token": issued.access.token,
                    "expires_at": issued.access.expires_at,
                    "expires_in": issued.access.expires_at - now,
                    "refresh_token": issued.refresh_token,
                }
            )
        raise ApiError(400, fault("Bad Request", "Application", "grant_type", "invalid"))

    async def deauthorize_(request: Request) -> Response:
        p = await params(request)
        token_value = p.get("access_token") or bearer(request)
        tok = sim.oauth.check(token_value, sim.now())
        await asyncio.to_thread(sim.deauthorize_athlete, tok.athlete_id)
        return json_response({"access_token": tok.token})

    if deauthorize:
        router.add_api_route("/deauthorize", deauthorize_, methods=["POST"])

    @router.post("/revoke")
    async def revoke(request: Request) -> Response:
        p = await params(request)
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                user, _, pw = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                user, pw = "", ""
            p.setdefault("client_id", user)
            p.setdefault("client_secret", pw)
        check_client(p)
        await asyncio.to_thread(sim.revoke_token, p.get("token", ""))
        return json_response({})

    return router


def _page(sim: Simulator, request: Request, requested: frozenset[str]) -> str:
    q = request.query_params
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in q.items()
        if not k.startswith("sim_")
    )
    options = "".join(
        f'<option value="{a}">{a}: {html.escape(p.firstname)} {html.escape(p.lastname)}</option>'
        for a in sim.athlete_ids()[:500]
        for p in [sim.world.profile(a, keep=False)]
    )
    boxes = "".join(
        f'<label><input type="checkbox" name="sim_scope" value="{s}" checked> {s}</label><br>'
        for s in SCOPES
        if s in requested
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Authorize (simulated Strava)"
        "</title></head><body><h1>Authorize application</h1>"
        f"<form method='get' action='{html.escape(request.url.path)}'>{hidden}"
        f"<p><label>Athlete <select name='sim_athlete_id'>{options}</select></label></p>"
        f"<p>Scopes:<br>{boxes}</p>"
        "<button type='submit' name='sim_action' value='approve'>Authorize</button> "
        "<button type='submit' name='sim_action' value='deny'>Cancel</button>"
        "</form></body></html>"
    )
