"""The Strava read API under /api/v3 (athlete, activities, laps, streams, kudos, stats)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from stravasync.simulator.content.athlete_stats import athlete_stats, gear_distances
from stravasync.simulator.content.detail import detailed, laps
from stravasync.simulator.content.model import Activity
from stravasync.simulator.content.render import athlete_json, gear_detailed, summary_bytes
from stravasync.simulator.content.streams import kudoers, streams
from stravasync.simulator.oauth import AccessToken
from stravasync.simulator.responses import (
    bad_param,
    forbidden,
    not_found,
    scope_missing,
)

if TYPE_CHECKING:
    from stravasync.simulator.core import Simulator

JSON = "application/json; charset=utf-8"


def json_response(data: Any, status: int = 200) -> Response:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(raw, status_code=status, media_type=JSON)


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("access_token")


def int_param(request: Request, name: str, default: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(float(raw))
    except ValueError as exc:
        raise bad_param(name) from exc


def can_read_activities(token: AccessToken) -> bool:
    return bool(token.scope & {"activity:read", "activity:read_all"})


def api_router(sim: Simulator, prefix: str = "/api/v3") -> APIRouter:
    """The read API under ``prefix`` (``/api/v3`` in 2026, none on the 2027 API origin)."""
    router = APIRouter(prefix=prefix)

    def authenticate(request: Request) -> AccessToken:
        now = sim.now()
        token = sim.oauth.check(bearer(request), now)
        rate = sim.faults.token_revocation_rate
        if rate > 0 and sim.faults.rng.random() < rate:
            sim.revoke_tokens(token.athlete_id)
            token = sim.oauth.check(token.token, now)
        return token

    def own_activity(request: Request, activity_id: int) -> tuple[AccessToken, Activity, int]:
        token = authenticate(request)
        if not can_read_activities(token):
            raise scope_missing()
        now = sim.now()
        act = sim.world.activity(activity_id, now)
        if act is None or act.athlete_id != token.athlete_id:
            raise not_found()
        if act.fields_at(now)["private"] and "activity:read_all" not in token.scope:
            raise not_found()
        return token, act, now

    @router.get("/athlete")
    async def get_athlete(request: Request) -> Response:
        token = authenticate(request)
        profile = sim.world.profile(token.athlete_id)
        now = sim.now()
        if "profile:read_all" not in token.scope:
            return json_response(athlete_json(profile, now, detailed=False))
        gear = gear_distances(sim.world.visible(profile.id, now), now)
        return json_response(athlete_json(profile, now, detailed=True, gear_distance=gear))

    @router.get("/athlete/activities")
    async def list_activities(request: Request) -> Response:
        token = authenticate(request)
        if not can_read_activities(token):
            raise scope_missing()
        before = int_param(request, "before", None)
        after = int_param(request, "after", None)
        page = max(1, int_param(request, "page", 1) or 1)
        per_page = int_param(request, "per_page", 30) or 30
        per_page = 30 if per_page < 1 else min(per_page, 200)
        now = sim.now()
        acts = sim.world.visible(token.athlete_id, now, after=after, before=before)
        # newest first, also with after+before (recorded 2025); after alone: a setting
        if after is None or before is not None or sim.config.after_order == "newest_first":
            acts = acts[::-1]
        chunk = acts[(page - 1) * per_page : page * per_page]
        if "activity:read_all" not in token.scope:
            # Strava pages first, then hides "only me": pages may come back short.
            chunk = [a for a in chunk if not a.fields_at(now)["private"]]
        body = b"[" + b",".join(summary_bytes(a, now) for a in chunk) + b"]"
        return Response(body, media_type=JSON)

    @router.get("/activities/{activity_id}")
    async def get_activity(activity_id: int, request: Request) -> Response:
        _, act, now = own_activity(request, activity_id)
        include_all = request.query_params.get("include_all_efforts", "").lower() == "true"
        profile = sim.world.profile(act.athlete_id)
        fields = act.fields_at(now)
        gear = (
            gear_distances(sim.world.visible(act.athlete_id, now), now) if fields["gear_id"] else {}
        )
        data = detailed(act, fields, act.kudos_count(now), profile, include_all, gear)
        return json_response(data)

    @router.get("/activities/{activity_id}/laps")
    async def get_laps(activity_id: int, request: Request) -> Response:
        _, act, now = own_activity(request, activity_id)
        return json_response(laps(act, act.fields_at(now)))

    @router.get("/activities/{activity_id}/streams")
    async def get_streams(activity_id: int, request: Request) -> Response:
        _, act, now = own_activity(request, activity_id)
        keys: list[str] = []
        for value in request.query_params.getlist("keys") + request.query_params.getlist("keys[]"):
            keys.extend(k.strip() for k in value.split(",") if k.strip())
        # without keys Strava sends distance alone (it comes along with any request)
        found = streams(act, act.fields_at(now), keys, request.query_params.get("resolution"))
        if request.query_params.get("key_by_type", "").lower() == "true":
            return json_response(found)
        return json_response([dict(type=k, **v) for k, v in found.items()])

    @router.get("/activities/{activity_id}/kudos")
    async def get_kudos(activity_id: int, request: Request) -> Response:
        _, act, now = own_activity(request, activity_id)
        page = max(1, int_param(request, "page", 1) or 1)
        per_page = min(200, max(1, int_param(request, "per_page", 30) or 30))
        return json_response(kudoers(act, act.kudos_count(now), page, per_page))

    @router.get("/gear/{gear_id}")
    async def get_gear(gear_id: str, request: Request) -> Response:
        """DetailedGear of the token's athlete (retired gear too); anyone else's gear, or an
        unknown id, is 404 Record Not Found as for activities (Strava documents no scope)."""
        token = authenticate(request)
        profile = sim.world.profile(token.athlete_id)
        found = next((g for g in (*profile.bikes, *profile.shoes) if g.id == gear_id), None)
        if found is None:
            raise not_found("Gear")
        now = sim.now()
        distance = gear_distances(sim.world.visible(profile.id, now), now).get(found.id, 0.0)
        return json_response(gear_detailed(found, distance))

    @router.get("/athletes/{athlete_id}/stats")
    async def get_stats(athlete_id: int, request: Request) -> Response:
        token = authenticate(request)
        if athlete_id != token.athlete_id or sim.faults.stats_status == 403:
            raise forbidden()
        if sim.faults.stats_status == 404:
            raise not_found("Athlete")
        now = sim.now()
        return json_response(athlete_stats(sim.world.visible(athlete_id, now), now))

    return router
