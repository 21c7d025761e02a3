"""The simulator's FastAPI app: Strava paths behind the :class:`Gate`, plus /_sim control."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError

from stravasync.simulator.gate import Gate
from stravasync.simulator.responses import ApiError, fault
from stravasync.simulator.routes_api import api_router, json_response
from stravasync.simulator.routes_control import control_router
from stravasync.simulator.routes_oauth import oauth_router
from stravasync.simulator.routes_push import push_router

if TYPE_CHECKING:
    from stravasync.simulator.core import Simulator


def create_app(sim: Simulator) -> FastAPI:
    app = FastAPI(
        title="stravasync simulator",
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

    app.include_router(oauth_router(sim, "/oauth"))
    app.include_router(oauth_router(sim, "/api/v3/oauth"))
    app.include_router(push_router(sim))
    app.include_router(api_router(sim))
    app.include_router(control_router(sim))

    @app.api_route("/api/v3/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def unknown(rest: str) -> Response:
        raise ApiError(404, fault("Record Not Found", "resource", "path", "invalid"))

    app.add_middleware(Gate, sim=sim)
    return app
