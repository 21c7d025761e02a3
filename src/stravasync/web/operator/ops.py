"""Admin API, operations: scheduler, quota, dead letters and notification deliveries."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool

from stravasync.store.operator import admin as admin_q
from stravasync.store.pending import inbox, outbox, syncstate
from stravasync.store.pending import jobs as jobs_q
from stravasync.strava.quota.tiers import STATED_LIMITS_KEY, tier_note
from stravasync.strava.setup import limits_from_settings
from stravasync.web.bounds import Name, RowId
from stravasync.web.context import WebContext
from stravasync.web.deps import NOT_FOUND, Ctx, admin_router
from stravasync.web.schemas import (
    ActionResult,
    DeadItem,
    DeadLetters,
    NotificationOut,
    QuotaHistory,
    QuotaNow,
    QuotaPoint,
    QuotaWindow,
    SchedulerJobOut,
    SchedulerOut,
    StravaTier,
)

router = admin_router()
DeadKind = Literal["athlete", "job", "webhook_event", "notification"]


def _scheduler(ctx: WebContext) -> SchedulerOut:
    with ctx.db.engine.connect() as conn:
        paused = syncstate.scheduler_paused(conn)
        rows = admin_q.scheduler_jobs_list(conn)
    jobs = [SchedulerJobOut(**{k: r[k] for k in SchedulerJobOut.model_fields}) for r in rows]
    return SchedulerOut(paused=paused, jobs=jobs)


@router.get("/scheduler", response_model=SchedulerOut, summary="Paused? and each job's next run")
async def scheduler_status(ctx: Ctx) -> SchedulerOut:
    return await run_in_threadpool(_scheduler, ctx)


def _set_paused(ctx: WebContext, paused: bool) -> None:
    with ctx.db.transaction() as conn:
        admin_q.put_setting(conn, admin_q.SCHEDULER_PAUSED_KEY, paused, now=ctx.clock.now())


@router.post("/scheduler/pause", response_model=ActionResult, summary="Stop automatic syncs")
async def scheduler_pause(ctx: Ctx) -> ActionResult:
    await run_in_threadpool(_set_paused, ctx, True)
    return ActionResult(ok=True, detail="scheduler paused; requested syncs still run")


@router.post("/scheduler/resume", response_model=ActionResult, summary="Resume automatic syncs")
async def scheduler_resume(ctx: Ctx) -> ActionResult:
    await run_in_threadpool(_set_paused, ctx, False)
    if ctx.services.wake is not None:
        ctx.services.wake()
    return ActionResult(ok=True, detail="scheduler resumed")


def _trigger(ctx: WebContext, job: str) -> bool:
    with ctx.db.transaction() as conn:
        return admin_q.trigger_scheduler_job(conn, job, now=ctx.clock.now())


@router.post(
    "/scheduler/trigger/{job}",
    response_model=ActionResult,
    responses=NOT_FOUND,
    summary="Run a periodic job now",
)
async def scheduler_trigger(job: Name, ctx: Ctx) -> ActionResult:
    if not await run_in_threadpool(_trigger, ctx, job):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no scheduler job named {job!r}")
    if ctx.services.wake is not None:
        ctx.services.wake()
    return ActionResult(ok=True, detail=f"{job} is due now")


def _quota(ctx: WebContext) -> QuotaNow:
    with ctx.db.engine.connect() as conn:
        rows = admin_q.quota_now(conn)
        stated = admin_q.get_setting(conn, STATED_LIMITS_KEY)
    note = tier_note(stated, limits_from_settings(ctx.settings))
    return QuotaNow(
        strava=StravaTier(**asdict(note)) if note else None,
        windows=[
            QuotaWindow(
                limit_class=r["limit_class"],
                window=r["window"],
                window_start=r["window_start"],
                used=r["used"],
                limit_value=r["limit_value"],
                remaining=max(r["limit_value"] - r["used"], 0),
                closed_until=r["closed_until"],
            )
            for r in rows
        ],
    )


@router.get("/quota", response_model=QuotaNow, summary="Rate budget per limit class and window")
async def quota_now(ctx: Ctx) -> QuotaNow:
    return await run_in_threadpool(_quota, ctx)


def _history(ctx: WebContext, hours: float) -> QuotaHistory:
    since = ctx.clock.now() - timedelta(hours=hours)
    with ctx.db.engine.connect() as conn:
        rows = admin_q.quota_history(conn, since=since)
    return QuotaHistory(since=since, points=[QuotaPoint(**r) for r in rows])


@router.get("/quota/history", response_model=QuotaHistory, summary="Closed windows, oldest first")
async def quota_history(
    ctx: Ctx, hours: Annotated[float, Query(gt=0, le=24 * 31)] = 24
) -> QuotaHistory:
    return await run_in_threadpool(_history, ctx, hours)


def dead_letter_items(ctx: WebContext) -> DeadLetters:
    items: list[DeadItem] = []
    with ctx.db.engine.connect() as conn:
        for r in admin_q.dead_athletes(conn):
            label = f"athlete {r['athlete_id']}"
            items.append(
                DeadItem(
                    kind="athlete",
                    id=r["athlete_id"],
                    label=label,
                    attempts=r["attempts"],
                    last_error=r["last_error"],
                )
            )
        for r in jobs_q.dead_jobs(conn):
            items.append(
                DeadItem(
                    kind="job",
                    id=r["id"],
                    label=f"{r['kind']} {r['dedupe_key']}",
                    attempts=r["attempts"],
                    last_error=r["last_error"],
                )
            )
        for r in inbox.dead_events(conn):
            label = f"{r['object_type']} {r['object_id']} {r['aspect_type']}"
            items.append(
                DeadItem(
                    kind="webhook_event",
                    id=r["id"],
                    label=label,
                    attempts=r["attempts"],
                    last_error=r["last_error"],
                )
            )
        for r in outbox.recent(conn, state="dead"):
            items.append(
                DeadItem(
                    kind="notification",
                    id=r["id"],
                    label=r["event"],
                    attempts=r["attempts"],
                    last_error=r["last_error"],
                )
            )
    return DeadLetters(items=items)


@router.get("/dead-letters", response_model=DeadLetters, summary="Everything that gave up")
async def dead_letters(ctx: Ctx) -> DeadLetters:
    return await run_in_threadpool(dead_letter_items, ctx)


def _requeue(ctx: WebContext, kind: DeadKind, ident: int) -> bool:
    now = ctx.clock.now()
    with ctx.db.transaction() as conn:
        if kind == "athlete":
            state = syncstate.get_state(conn, ident)
            if state is None or not state["dead"]:
                return False
            return syncstate.request_mode(
                conn, ident, state["requested_mode"] or "incremental", now
            )
        if kind == "job":
            return admin_q.requeue_job(conn, ident, now=now)
        if kind == "webhook_event":
            return inbox.requeue(conn, ident, now=now)
        return outbox.requeue(conn, ident, now=now)


@router.post(
    "/dead-letters/{kind}/{ident}/requeue",
    response_model=ActionResult,
    responses=NOT_FOUND,
    summary="Put a dead letter back in its queue, due now",
)
async def requeue(kind: DeadKind, ident: RowId, ctx: Ctx) -> ActionResult:
    if not await run_in_threadpool(_requeue, ctx, kind, ident):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no dead {kind} {ident}")
    if ctx.services.wake is not None:
        ctx.services.wake()
    return ActionResult(ok=True, detail=f"{kind} {ident} re-queued")


def _notifications(ctx: WebContext, state: str | None, limit: int) -> list[NotificationOut]:
    with ctx.db.engine.connect() as conn:
        rows = outbox.recent(conn, state=state, limit=limit)
    return [NotificationOut(**{k: r[k] for k in NotificationOut.model_fields}) for r in rows]


@router.get(
    "/notifications",
    response_model=list[NotificationOut],
    summary="Outbox deliveries, newest first",
)
async def notifications(
    ctx: Ctx,
    state: Literal["pending", "delivered", "dead"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[NotificationOut]:
    return await run_in_threadpool(_notifications, ctx, state, limit)
