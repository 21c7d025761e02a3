"""Push subscriptions: POST / GET / DELETE /api/v3/push_subscriptions (one per application)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from stravasync.simulator.content.render import iso
from stravasync.simulator.http.routes_api import json_response
from stravasync.simulator.http.routes_oauth import params
from stravasync.simulator.responses import check_client as check_credentials
from stravasync.simulator.responses import client_invalid

if TYPE_CHECKING:
    from stravasync.simulator.core import Simulator


def push_router(sim: Simulator, prefix: str = "/api/v3") -> APIRouter:
    router = APIRouter(prefix=prefix + "/push_subscriptions")

    def check_client(p: dict[str, str]) -> None:
        if sim.faults.invalid_client:  # the secret was revoked on Strava
            raise client_invalid()
        check_credentials(p, sim.client_id, sim.client_secret)

    @router.post("")
    async def create(request: Request) -> Response:
        p = await params(request)
        check_client(p)
        when = iso(sim.now())
        sub = await asyncio.to_thread(
            sim.webhooks.create, p.get("callback_url", ""), p.get("verify_token", ""), when
        )
        sim.start_webhooks_from_now()
        return json_response({"id": sub.id}, status=201)

    @router.get("")
    async def list_(request: Request) -> Response:
        p = await params(request)
        check_client(p)
        sub = sim.webhooks.subscription
        return json_response([] if sub is None else [sub.as_json()])

    @router.delete("/{subscription_id}")
    async def delete(subscription_id: int, request: Request) -> Response:
        p = await params(request)
        check_client(p)
        sim.webhooks.delete(subscription_id)
        return Response(status_code=204)

    return router
