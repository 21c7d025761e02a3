"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Engine

from stravasync.store import appstate as appstate_q
from stravasync.store import migrate
from stravasync.store.engine import check_reachable
from stravasync.store.errors import StoreError
from stravasync.web.deps import Ctx
from stravasync.web.schemas import AppStateOut, Health, Ready

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health(status="ok")


def _readiness(engine: Engine) -> Ready:
    head = migrate.head_revision()
    try:
        check_reachable(engine)
        current = migrate.current_revision(engine)
        migrate.ensure_at_head(engine)
        with engine.connect() as conn:
            app = appstate_q.get(conn)
    except StoreError as exc:
        return Ready(status="not_ready", database="unreachable", head=head, reason=str(exc))
    except Exception as exc:  # any driver error means "not ready", never a 500
        return Ready(status="not_ready", database="error", head=head, reason=type(exc).__name__)
    if app is not None:
        return Ready(
            status="degraded",
            database="ok",
            revision=current,
            head=head,
            reason=f"Strava application suspended ({app.condition}): {app.reason}",
            app_state=AppStateOut(**app.as_json()),
        )
    return Ready(status="ready", database="ok", revision=current, head=head)


@router.get(
    "/readyz",
    response_model=Ready,
    summary="Readiness: database reachable and migrations at head; degraded while Strava "
    "refuses the application",
    responses={503: {"model": Ready, "description": "not ready"}},
)
async def readyz(ctx: Ctx) -> JSONResponse:
    ready = await run_in_threadpool(_readiness, ctx.db.engine)
    code = 503 if ready.status == "not_ready" else 200
    return JSONResponse(ready.model_dump(mode="json"), status_code=code)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "text exposition"}},
)
async def metrics(ctx: Ctx) -> Response:
    body = await run_in_threadpool(ctx.metrics.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
