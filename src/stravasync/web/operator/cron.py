"""``POST /api/cron/sync``: a deadline-bounded burst for hosts that only offer an external cron."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool

from stravasync.web.deps import AUTH_RESPONSES, Ctx, require_cron
from stravasync.web.operator.workers import cron_runner
from stravasync.web.schemas import CronResult, Problem

router = APIRouter(
    prefix="/api/cron",
    tags=["cron"],
    dependencies=[Depends(require_cron)],
    responses={**AUTH_RESPONSES, 503: {"model": Problem, "description": "engine not configured"}},
)


@router.post(
    "/sync",
    response_model=CronResult,
    summary="Sync what is due for up to `deadline` seconds, then answer",
)
async def cron_sync(
    ctx: Ctx, deadline: Annotated[float, Query(gt=0, le=300, description="seconds")] = 25
) -> CronResult:
    run = ctx.services.cron
    if run is None:
        if not ctx.settings.client_id:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "STRAVASYNC_CLIENT_ID unset")
        run = cron_runner(ctx.settings, ctx.db, ctx.clock)
        ctx.services.cron = run
    report = await run_in_threadpool(run, deadline)
    return CronResult(**{k: report.get(k) for k in CronResult.model_fields})
