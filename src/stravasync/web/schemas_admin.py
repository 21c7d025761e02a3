"""The admin API's models: athletes and their sync state, sessions and logs, controls,
the scheduler, quota, dead letters, notifications, the cron burst's result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from stravasync.web.bounds import MAX_LIST, BoundedDatetime, StravaId

MAX_DAYS = 365.0 * 100


class AthleteOut(BaseModel):
    athlete_id: int
    name: str
    status: str
    hidden: bool
    auto_sync: bool
    scopes: str
    activity_count: int
    backfill_done: bool
    last_success_at: datetime | None
    due_at: datetime | None
    last_error: str | None
    dead: bool
    strava_count: int | None = Field(
        None,
        description="Strava's count of the athlete's rides, runs and swims (GET /athletes/{id}/"
        "stats, fetched for a backfill longer than a page): a lower bound of the history",
    )
    strava_count_at: datetime | None = Field(None, description="when strava_count was fetched")


class SyncStateOut(BaseModel):
    due_at: datetime | None = None
    requested_mode: str | None = None
    leased_by: str | None = None
    lease_expires_at: datetime | None = None
    attempts: int = 0
    dead: bool = False
    last_error: str | None = None
    last_error_at: datetime | None = None
    cancel_requested: bool = False
    backfill_done: bool = False
    last_incremental_at: datetime | None = None
    last_refresh_at: datetime | None = None
    last_reconcile_at: datetime | None = None
    last_success_at: datetime | None = None
    last_activity_at: datetime | None = None
    activity_count: int = 0


class SessionOut(BaseModel):
    id: str
    athlete_id: int | None
    mode: str
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    api_calls: int
    summary: dict[str, Any] | None


class AthleteDetail(BaseModel):
    athlete: AthleteOut
    status_reason: str | None
    connected_at: datetime | None
    deauthorized_at: datetime | None
    sync_state: SyncStateOut | None
    recent_sessions: list[SessionOut]
    profile: dict[str, str] = Field(
        default_factory=dict, description="names, picture urls, place (as Strava gave them)"
    )


SyncMode = Literal["backfill", "incremental", "refresh", "enrich", "reconcile"]


class EnrichOptions(BaseModel):
    """Which activities an ``enrich`` pass fetches details for: named ones (always fetched),
    a window of start times (``since_days``, or ``since`` / ``until``), the whole history
    (``all``) or, with none, the recent window; ``force`` re-fetches current details too."""

    model_config = ConfigDict(extra="forbid")

    since_days: float | None = Field(
        None, gt=0, le=MAX_DAYS, allow_inf_nan=False, description="activities of the last N days"
    )
    all: bool | None = Field(None, description="the whole history")
    activity_ids: list[StravaId] | None = Field(
        None, min_length=1, max_length=MAX_LIST, description="fetch these activities' details now"
    )
    since: BoundedDatetime | None = Field(None, description="activities started from")
    until: BoundedDatetime | None = Field(None, description="activities started before")
    force: bool | None = Field(None, description="fetch every detail in scope, even current")


class SyncRequest(BaseModel):
    mode: SyncMode = "incremental"
    options: EnrichOptions | None = Field(None, description="enrich only")


class ActionResult(BaseModel):
    ok: bool
    detail: str


class SchedulerJobOut(BaseModel):
    name: str
    interval_s: int = Field(description="seconds between runs; 0 for a job on a clock")
    schedule: str | None = Field(
        description="cron expression in STRAVASYNC_SCHEDULE_TZ (jobs on a clock), else null"
    )
    next_run_at: datetime
    last_run_at: datetime | None
    last_status: Literal["ok", "failed"] | None = Field(description="the last run's outcome")
    last_outcome: str | None = Field(description="the last run's one-line result or error")
    paused: bool


class SchedulerOut(BaseModel):
    paused: bool
    jobs: list[SchedulerJobOut]


class QuotaWindow(BaseModel):
    limit_class: str
    window: str
    window_start: datetime
    used: int
    limit_value: int
    remaining: int
    closed_until: datetime | None


class StravaTier(BaseModel):
    """The limits Strava's answers last stated, against the configured budget."""

    tier: str = Field(description="default | standard | extended, or the four numbers")
    limits: dict[str, int] = Field(description="overall_15min, overall_daily, read_15min, ...")
    message: str
    hint: str | None = Field(description="what to set when the configured budget differs")


class QuotaNow(BaseModel):
    windows: list[QuotaWindow]
    strava: StravaTier | None = Field(
        None, description="the tier Strava's rate-limit headers state; null before any answer"
    )


class QuotaPoint(BaseModel):
    limit_class: str
    window: str
    window_start: datetime
    used: int
    limit_value: int
    http_429: int


class QuotaHistory(BaseModel):
    since: datetime
    points: list[QuotaPoint]


class LogLine(BaseModel):
    id: int
    session_id: str
    athlete_id: int | None
    level: str
    message: str
    metadata: dict[str, Any] | None
    created_at: datetime


class LogPage(BaseModel):
    lines: list[LogLine]
    last_id: int


class DeadItem(BaseModel):
    kind: Literal["athlete", "job", "webhook_event", "notification"]
    id: int
    label: str
    attempts: int
    last_error: str | None


class DeadLetters(BaseModel):
    items: list[DeadItem]


class NotificationOut(BaseModel):
    id: int
    idempotency_key: str
    event: str
    athlete_id: int | None
    activity_id: int | None
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: datetime
    due_at: datetime
    delivered_at: datetime | None


class CronResult(BaseModel):
    synced: int
    failed: int
    skipped: int
    deferred: int
    session_id: str | None
