"""The athlete's signed-in pages at ``/me`` (sign in with Strava, my activities, charts,
heatmap, and my controls). Others use :data:`router` and the session cookie's name."""

from __future__ import annotations

from fastapi import APIRouter

from stravasync.web.athlete.signed import COOKIE, SESSION_TTL


def _router() -> APIRouter:
    from stravasync.web.athlete import controls, download, insights, pages, signin

    router = APIRouter()
    for module in (signin, pages, insights, download, controls):
        router.include_router(module.router)
    return router


router = _router()

__all__ = ["COOKIE", "SESSION_TTL", "router"]
