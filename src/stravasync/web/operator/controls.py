"""Admin API, operator controls: per-athlete switches, sync everyone, reset stuck, app state.

- ``PATCH /api/admin/athletes/{id}``: ``auto_sync`` (opt-out of automatic sync) and ``hidden``
  (left out of the data API and exports unless asked for).
- ``POST /api/admin/sync``: every active athlete due now in a mode (seed 003's ``POST /api/sync``).
- ``POST /api/admin/reset-stuck``: release expired leases, re-queue every dead letter (seed 003's
  ``/api/admin/reset-stuck-syncs``).
- ``GET /api/admin/app-state`` and ``POST /api/admin/app-state/probe``: the app-level Strava
  state (application inactive, invalid client), athletes connected against the capacity.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, model_validator

from stravasync.store.operator import appstate as appstate_q
from stravasync.store.operator import controls
from stravasync.store.people import athletes as athlete_q
from stravasync.strava.setup import repair_skewed_times
from stravasync.web.bounds import StravaId
from stravasync.web.context import WebContext
from stravasync.web.deps import NOT_FOUND, Ctx, admin_router
from stravasync.web.schemas import ActionResult, AppStateOut, AthleteOut, SyncMode

router = admin_router()


class AthleteFlags(BaseModel):
    """Only the switches given change; strict, like the webhook endpoint: a switch is ``true``
    or ``false`` (``1``, ``"yes"`` and ``null`` are 422; leave a switch out to keep it)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(str(k) for k, v in data.items() if v is None)
            if nulls:
                raise ValueError(f"{', '.join(nulls)}: true or false (leave it out to keep it)")
        return data

    auto_sync: bool | None = Field(
        None, description="false: no automatic sync (requests and free webhook changes only)"
    )
    hidden: bool | None = Field(
        None, description="true: left out of the data API and exports unless include_hidden"
    )


class SyncEveryone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: SyncMode = "incremental"
    include_opted_out: bool = Field(False, description="also athletes with auto_sync off")


class SyncEveryoneResult(BaseModel):
    ok: bool
    athletes: int = Field(description="athletes asked to sync")


class ResetStuckResult(BaseModel):
    ok: bool
    released: dict[str, int] = Field(description="expired leases released, per table")
    requeued: dict[str, int] = Field(description="dead letters re-queued, per queue")
    repaired: dict[str, list[int | str]] = Field(
        default_factory=dict,
        description="times a process whose clock ran ahead wrote, undone: athlete ids "
        "(due times) and rate windows",
    )


class AppStatus(BaseModel):
    app_state: AppStateOut | None = Field(description="null: Strava accepts the application")
    connected: int = Field(description="athletes connected (every status but deauthorized)")
    capacity: int | None = Field(description="STRAVASYNC_ATHLETE_CAPACITY (null: no limit)")


def _set_flags(ctx: WebContext, athlete_id: int, flags: AthleteFlags) -> AthleteOut | None:
    with ctx.db.transaction() as conn:
        if not athlete_q.set_flags(
            conn, athlete_id, now=ctx.clock.now(), hidden=flags.hidden, auto_sync=flags.auto_sync
        ):
            return None
        row = next(o for o in athlete_q.overview(conn) if o.athlete_id == athlete_id)
    return AthleteOut(**row.as_json())


@router.patch(
    "/athletes/{athlete_id}",
    response_model=AthleteOut,
    responses=NOT_FOUND,
    summary="Set an athlete's switches: auto_sync (opt-out) and hidden",
)
async def set_flags(athlete_id: StravaId, flags: AthleteFlags, ctx: Ctx) -> AthleteOut:
    out = await run_in_threadpool(_set_flags, ctx, athlete_id, flags)
    if out is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no athlete {athlete_id}")
    return out


def _sync_everyone(ctx: WebContext, body: SyncEveryone) -> int:
    with ctx.db.transaction() as conn:
        return controls.sync_everyone(
            conn, mode=body.mode, now=ctx.clock.now(), include_opted_out=body.include_opted_out
        )


@router.post("/sync", response_model=SyncEveryoneResult, summary="Sync every athlete now")
async def sync_everyone(ctx: Ctx, body: SyncEveryone | None = None) -> SyncEveryoneResult:
    """Every active athlete (not opted out, unless asked) is due now in ``mode``; dead letters
    among them are cleared. The budget still paces the requests."""
    n = await run_in_threadpool(_sync_everyone, ctx, body or SyncEveryone())
    if ctx.services.wake is not None:
        ctx.services.wake()
    return SyncEveryoneResult(ok=True, athletes=n)


def _reset(ctx: WebContext) -> ResetStuckResult:
    now = ctx.clock.now()
    with ctx.db.transaction() as conn:
        released = controls.release_expired_leases(conn, now)
        requeued = controls.requeue_all_dead(conn, now)
    repaired = repair_skewed_times(ctx.settings, ctx.db, now)
    return ResetStuckResult(ok=True, released=released, requeued=requeued, repaired=repaired)


@router.post(
    "/reset-stuck",
    response_model=ResetStuckResult,
    summary="Release expired leases and re-queue every dead letter",
)
async def reset_stuck(ctx: Ctx) -> ResetStuckResult:
    out = await run_in_threadpool(_reset, ctx)
    if ctx.services.wake is not None:
        ctx.services.wake()
    return out


def _app_status(ctx: WebContext) -> AppStatus:
    with ctx.db.engine.connect() as conn:
        state = appstate_q.get(conn)
        connected = athlete_q.connected_count(conn)
    return AppStatus(
        app_state=AppStateOut(**state.as_json()) if state else None,
        connected=connected,
        capacity=ctx.settings.athlete_capacity,
    )


@router.get("/app-state", response_model=AppStatus, summary="App-level Strava state, capacity")
async def app_state(ctx: Ctx) -> AppStatus:
    return await run_in_threadpool(_app_status, ctx)


def _probe(ctx: WebContext) -> bool:
    with ctx.db.transaction() as conn:
        return appstate_q.probe_now(conn, ctx.clock.now())


@router.post(
    "/app-state/probe",
    response_model=ActionResult,
    responses=NOT_FOUND,
    summary="Probe Strava at the next request (after fixing the application or the secret)",
)
async def probe_now(ctx: Ctx) -> ActionResult:
    if not await run_in_threadpool(_probe, ctx):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no app-level state holds")
    if ctx.services.wake is not None:
        ctx.services.wake()
    return ActionResult(ok=True, detail="the next request to Strava is a probe")
