"""The simulator's FastAPI apps: Strava paths behind the :class:`Gate`, plus /_sim control.

2026: one app serves /api/v3, /oauth and /_sim. 2027: :func:`create_app` serves /oauth (no
deauthorize) and /_sim, :func:`create_api_app` the API without /api/v3 (its own origin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError

from stravasync.simulator.http.gate import Gate, classify_api
from stravasync.simulator.http.routes_api import api_router, json_response
from stravasync.simulator.http.routes_control import control_router
from stravasync.simulator.http.routes_oauth import oauth_router
from stravasync.simulator.http.routes_push import push_router
from stravasync.simulator.responses import ApiError, fault

if TYPE_CHECKING:
    from stravasync.simulator.core import Simulator


def _base(sim: Simulator, title: str) -> FastAPI:
    app = FastAPI(
        title=title,
        docs_url="/_sim/docs",
        openapi_url="/_sim/openapi.json",
        redoc_url=None,
    )

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> Response:
        return json_response(exc.body, status=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, _exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/_sim"):
            return json_response({"message": "invalid request"}, status=400)
        return json_response(fault("Record Not Found", "resource", "path", "invalid"), 404)

    return app


def _not_found(app: FastAPI, prefix: str) -> None:
    @app.api_route(prefix + "/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def unknown(rest: str) -> Response:
        raise ApiError(404, fault("Record Not Found", "resource", "path", "invalid"))


def create_app(sim: Simulator) -> FastAPI:
    """The main origin: OAuth and /_sim, and on the 2026 platform the API under /api/v3."""
    app = _base(sim, "stravasync simulator")
    if sim.config.platform == "2027":
        app.include_router(oauth_router(sim, "/oauth", deauthorize=False))
        app.include_router(control_router(sim))
        app.add_middleware(Gate, sim=sim)
        return app
    app.include_router(oauth_router(sim, "/oauth"))
    app.include_router(oauth_router(sim, "/api/v3/oauth"))
    app.include_router(push_router(sim))
    app.include_router(api_router(sim))
    app.include_router(control_router(sim))
    _not_found(app, "/api/v3")
    app.add_middleware(Gate, sim=sim)
    return app


def create_api_app(sim: Simulator) -> FastAPI:
    """The 2027 API origin: the read API and push subscriptions, paths without /api/v3."""
    app = _base(sim, "stravasync simulator (API origin)")
    app.include_router(push_router(sim, ""))
    app.include_router(api_router(sim, ""))
    app.add_middleware(Gate, sim=sim, origin="api", kind=classify_api)
    return app
