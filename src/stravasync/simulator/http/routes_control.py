"""Control and ground truth under /_sim (never mixed with the Strava paths)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from stravasync.clock import as_utc
from stravasync.simulator.content.render import iso
from stravasync.simulator.errors import CapacityExceeded, NotVirtualTime, UnknownAthlete
from stravasync.simulator.http.routes_api import json_response

if TYPE_CHECKING:
    from stravasync.simulator.core import Simulator


def _error(status: int, message: str) -> Response:
    return json_response({"message": message}, status=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:  # a form body, a typo: the caller's mistake, not a 500
        raise HTTPException(400, "the body must be a JSON object") from None
    return data if isinstance(data, dict) else {}


class GrantBody(BaseModel):
    """``POST /_sim/grant``: an authorization code for a simulated athlete, as if they had
    clicked Authorize (exchange it at ``POST /oauth/token``)."""

    model_config = ConfigDict(extra="forbid")

    athlete_id: int = Field(gt=0, lt=2**63, description="A simulated athlete (GET /_sim/athletes).")
    scope: str = Field(
        "read,activity:read_all",
        max_length=200,
        description="Comma-separated scopes the athlete grants.",
    )


def control_router(sim: Simulator) -> APIRouter:
    router = APIRouter(prefix="/_sim")

    @router.post(
        "/grant",
        responses={
            200: {"description": '{"code": "..."}'},
            404: {"description": "No such athlete."},
            403: {"description": "The application's athlete capacity is reached."},
            422: {"description": "The body is not a JSON GrantBody (a form body, say)."},
        },
    )
    async def grant(body: GrantBody) -> Response:
        try:
            code = sim.grant(body.athlete_id, body.scope)
        except UnknownAthlete as exc:
            return _error(404, str(exc))
        except CapacityExceeded as exc:
            return _error(403, str(exc))
        return json_response({"code": code})

    @router.get("/truth/athletes/{athlete_id}/activities")
    async def truth(athlete_id: int, request: Request) -> Response:
        scope = request.query_params.get("scope", "activity:read_all")
        try:
            return json_response(sim.truth(athlete_id, scope))
        except UnknownAthlete as exc:
            return _error(404, str(exc))

    @router.get("/stats")
    async def stats() -> Response:
        return json_response(sim.stats())

    @router.get("/requests")
    async def request_log() -> Response:
        """Every request to a Strava path (both origins): where its token travelled."""
        return json_response({"platform": sim.config.platform, "requests": sim.request_log.items()})

    @router.delete("/requests")
    async def clear_request_log() -> Response:
        sim.request_log.clear()
        return Response(status_code=204)

    @router.get("/athletes")
    async def athletes(request: Request) -> Response:
        page = max(1, int(request.query_params.get("page", 1)))
        per_page = max(1, min(1000, int(request.query_params.get("per_page", 200))))
        ids = sim.athlete_ids()[(page - 1) * per_page : page * per_page]
        connected = sim.oauth.connected()
        out = []
        for athlete_id in ids:
            p = sim.world.profile(athlete_id, keep=False)
            out.append(
                {
                    "id": athlete_id,
                    "firstname": p.firstname,
                    "lastname": p.lastname,
                    "rate_class": p.rate_class,
                    "history_days": p.history_days,
                    "connect_at": iso(sim.start + p.connect_offset),
                    "connected": athlete_id in connected,
                }
            )
        return json_response(out)

    @router.post("/athletes/{athlete_id}/deauthorize")
    async def deauthorize(athlete_id: int) -> Response:
        await asyncio.to_thread(sim.deauthorize_athlete, athlete_id)
        return json_response({"athlete_id": athlete_id, "authorized": False})

    @router.post("/activities/{activity_id}/delete")
    async def delete_activity(activity_id: int) -> Response:
        if not await asyncio.to_thread(sim.delete_activity, activity_id):
            return json_response({"message": "no such visible activity"}, status=404)
        return json_response({"activity_id": activity_id, "deleted": True})

    @router.post("/activities/{activity_id}/edit")
    async def edit_activity(activity_id: int, request: Request) -> Response:
        body = await _body(request)
        fields, event = body.get("fields"), body.get("event")
        if not isinstance(fields, dict) or not fields:
            return _error(400, "fields: an object of the new values is required")
        if event is not None and not (
            isinstance(event, dict) and all(isinstance(v, str) for v in event.values())
        ):
            return _error(400, "event: an object of strings (the webhook's updates) or null")
        try:
            done = await asyncio.to_thread(sim.edit_activity, activity_id, fields, event)
        except ValueError as exc:
            return _error(400, str(exc))
        if not done:
            return json_response({"message": "no such visible activity"}, status=404)
        return json_response({"activity_id": activity_id, "edited": sorted(fields)})

    @router.get("/clock")
    async def clock() -> Response:
        return json_response(sim.clock_info())

    @router.post("/clock")
    async def move_clock(request: Request) -> Response:
        body = await _body(request)
        try:
            if "advance" in body:
                await asyncio.to_thread(sim.advance, float(body["advance"]))
            elif "to" in body:
                when = as_utc(datetime.fromisoformat(str(body["to"]).replace("Z", "+00:00")))
                await asyncio.to_thread(sim.advance_to, when)
        except NotVirtualTime as exc:
            return _error(409, str(exc))
        except ValueError as exc:
            return _error(400, str(exc))
        return json_response(sim.clock_info())

    @router.get("/faults")
    async def faults() -> Response:
        return json_response(sim.faults.as_json())

    @router.post("/faults")
    async def set_faults(request: Request) -> Response:
        try:
            sim.faults.update(await _body(request))
        except (KeyError, ValueError, TypeError) as exc:
            return _error(400, f"unknown or invalid fault setting: {exc}")
        return json_response(sim.faults.as_json())

    @router.get("/changes")
    async def changes(request: Request) -> Response:
        since_raw = request.query_params.get("since")
        since = (
            as_utc(datetime.fromisoformat(since_raw.replace("Z", "+00:00"))) if since_raw else None
        )
        return json_response([c.as_json() for c in sim.changes(since)])

    @router.get("/webhooks/delivered")
    async def delivered() -> Response:
        return json_response(list(sim.webhooks.delivered))

    return router
