"""The FastAPI application factory: one app per (settings, database), no module-level state."""

from __future__ import annotations

import logging
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stravasync import __version__
from stravasync.clock import Clock, RealClock
from stravasync.config import Settings
from stravasync.store import Database
from stravasync.web import (
    api_docs,
    athlete,
    data,
    edge,
    failures,
    health,
    intake,
    limits,
    operator,
)
from stravasync.web.auth import AttemptLimiter
from stravasync.web.context import Services, WebContext
from stravasync.web.metrics import Metrics
from stravasync.web.schemas import WebhookAck, WebhookEvent

log = logging.getLogger(__name__)


class RequestMetrics:
    """Counts every answer by route template (never the raw path: ids stay out of labels)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(endpoint, scope.get("method", ""), str(status)).inc()


def _bench_router() -> Any:
    from fastapi import APIRouter

    router = APIRouter(tags=["benchmark"])

    @router.post("/webhooks/bare", response_model=WebhookAck, summary="Benchmark baseline")
    async def bare(request: Request) -> WebhookAck:
        await request.body()
        return WebhookAck(status="received")

    return router


def create_app(
    settings: Settings,
    db: Database,
    *,
    clock: Clock | None = None,
    services: Services | None = None,
    limiter: AttemptLimiter | None = None,
) -> FastAPI:
    """Build the service's ASGI app. ``services`` supplies optional collaborators (OAuth, stats,
    the cron burst, a wake-up hook for in-process workers)."""
    clock = clock or RealClock()
    metrics = Metrics(db, clock.now)
    app = FastAPI(
        title="stravasync",
        version=__version__,
        description="A faithful local mirror of Strava activities: webhooks, admin and data API.",
        docs_url=None,  # FastAPI's pages load a CDN and an inline script: web.api_docs serves both
        redoc_url=None,
    )
    app.state.ctx = WebContext(
        settings=settings,
        db=db,
        clock=clock,
        metrics=metrics,
        limiter=limiter or AttemptLimiter(),
        inbox=intake.InboxWriter(db, clock.now),
        services=services or Services(),
    )
    failures.install(app)
    routers = [
        health.router,
        *intake.routers(),
        *operator.api_routers(),
        *data.routers(),
        api_docs.router,
        *operator.page_routers(),
    ]
    routers.append(athlete.router)
    for router in routers:
        app.include_router(router)
    static = files("stravasync.web") / "static"
    app.mount("/admin/static", StaticFiles(directory=str(static)), name="static")
    if settings.webhook_bench_endpoint:
        app.include_router(_bench_router())
    app.add_middleware(
        limits.RequestGuard,
        routes=[route for router in routers for route in router.routes],
        checks=limits.credential_checks(settings, clock),
        max_body=settings.http_max_body_bytes,
        prefix_limits={"/webhooks/": intake.WEBHOOK_MAX_BODY_BYTES},
    )  # inside edge's: it reads the session and the forwarded client
    edge.install(app, settings)
    app.add_middleware(RequestMetrics, metrics=metrics)
    _complete_openapi(app)
    return app


def _complete_openapi(app: FastAPI) -> None:
    """Add the webhook body schema (the route reads the body itself to cap its size) and
    document 422 answers as Problems."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["WebhookEvent"] = WebhookEvent.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        failures.problem_in_openapi(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
