"""Request and response models: the OpenAPI document is the contract, so every route has one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from stravasync.web.bounds import INT64_END, MAX_LIST, BoundedDatetime, NoNul, StravaId

MAX_DAYS = 365.0 * 100
MAX_NOTES = 100
MAX_NOTE_KEY = 64
MAX_NOTE_VALUE = 10_000


class Problem(BaseModel):
    """Every error answer: a short machine code and a sentence for people."""

    error: str
    detail: str


class Health(BaseModel):
    status: Literal["ok"]


class AppStateOut(BaseModel):
    """An app-level Strava condition: nothing is sent to Strava until a probe succeeds."""

    condition: Literal["application_inactive", "invalid_client"]
    reason: str
    since: datetime
    probes: int
    next_probe_at: datetime
    last_probe_at: datetime | None = None


class Ready(BaseModel):
    """``degraded`` (HTTP 200: the data API and webhook intake still work): Strava refuses
    the application; ``not_ready`` (503): the database is not usable."""

    status: Literal["ready", "degraded", "not_ready"]
    database: str
    revision: str | None = None
    head: str | None = None
    reason: str | None = None
    app_state: AppStateOut | None = None


UpdateValue = (
    Annotated[str, Field(max_length=1024)]
    | bool
    | Annotated[int, Field(ge=-INT64_END, lt=INT64_END)]
    | float
    | None
)
"""What Strava sends in ``updates`` (strings such as ``"true"``); never nested."""


def _without_nul(updates: dict[str, UpdateValue]) -> dict[str, UpdateValue]:
    """NUL is no character of any title, and PostgreSQL's JSON cannot hold it: dropped."""

    def clean(value: UpdateValue) -> UpdateValue:
        return value.replace("\x00", "") if isinstance(value, str) else value

    return {k.replace("\x00", ""): clean(v) for k, v in updates.items()}


class WebhookEvent(BaseModel):
    """A Strava webhook event; strict, so ``"123"`` for an id is a 400, not a guess. Every id
    in 1..2**63-1, ``updates`` a flat object of at most 16 bounded scalars."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False)

    object_type: Literal["activity", "athlete"]
    object_id: StravaId
    aspect_type: Literal["create", "update", "delete"]
    owner_id: StravaId
    subscription_id: StravaId
    event_time: int = Field(ge=0, lt=INT64_END)
    updates: Annotated[
        dict[Annotated[str, Field(max_length=64)], UpdateValue],
        Field(max_length=16),
        AfterValidator(_without_nul),
    ] = Field(default_factory=dict)


class WebhookAck(BaseModel):
    """The same answer for every well-formed event, stored, redelivered or not ours: the
    subscription id cannot be found by trying."""

    status: Literal["received"]


class Challenge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    hub_challenge: str = Field(alias="hub.challenge", serialization_alias="hub.challenge")


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


class QuotaNow(BaseModel):
    windows: list[QuotaWindow]


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


class ActivitySummary(BaseModel):
    id: int
    athlete_id: int
    name: str | None
    sport_type: str | None
    start_date: datetime | None
    start_date_local: datetime | None
    timezone: str | None
    distance: float | None
    moving_time: int | None
    elapsed_time: int | None
    total_elevation_gain: float | None
    average_speed: float | None
    max_speed: float | None
    average_heartrate: float | None
    max_heartrate: float | None
    average_watts: float | None
    kilojoules: float | None
    trainer: bool | None
    commute: bool | None
    manual: bool | None
    private: bool | None
    visibility: str | None
    gear_id: str | None
    workout_type: int | None
    updated_at: datetime


class ActivityPage(BaseModel):
    items: list[ActivitySummary]
    next_after_id: int | None = Field(
        description="pass as after_id to get the next page; null on the last page"
    )


class ActivityDetailOut(BaseModel):
    description: str | None
    calories: float | None
    fetched_at: datetime
    laps: list[dict[str, Any]] | None
    splits_metric: list[dict[str, Any]] | None
    segment_efforts: list[dict[str, Any]] | None
    best_efforts: list[dict[str, Any]] | None
    raw: dict[str, Any] | None


class ActivityOut(BaseModel):
    summary: ActivitySummary
    raw_summary: dict[str, Any] | None
    detail: ActivityDetailOut | None
    annotations: dict[str, str]


NoteKey = Annotated[str, Field(min_length=1, max_length=MAX_NOTE_KEY), NoNul]
NoteValue = Annotated[str, Field(max_length=MAX_NOTE_VALUE), NoNul]


class AnnotationsIn(BaseModel):
    annotations: dict[NoteKey, NoteValue] = Field(
        max_length=MAX_NOTES,
        description=f"the complete set of notes for the activity (at most {MAX_NOTES}; keys "
        f"1-{MAX_NOTE_KEY} characters, values up to {MAX_NOTE_VALUE})",
    )


class AnnotationsOut(BaseModel):
    activity_id: int
    annotations: dict[str, str]


class EddingtonNumber(BaseModel):
    """E: the largest number such that on at least E days the distance was >= E units."""

    number: int
    next: int = Field(description="number + 1, the next target")
    days_needed_for_next: int = Field(description="more qualifying days needed to reach next")
    days_at_or_above_next: int = Field(description="days already at >= next units")


class EddingtonUnits(BaseModel):
    km: EddingtonNumber
    miles: EddingtonNumber


class EddingtonGroups(BaseModel):
    """Per sport group: every sport, rides (Ride, GravelRide, VirtualRide...), runs (Run,
    TrailRun, VirtualRun)."""

    overall: EddingtonUnits
    ride: EddingtonUnits
    run: EddingtonUnits


class RollupRow(BaseModel):
    period: str = Field(description="2026-W09 (ISO week), 2026-03 (month) or 2026 (year)")
    sport: str
    count: int
    distance_m: float
    moving_time_s: int
    elevation_m: float


class Rollups(BaseModel):
    """Totals per (local-time period, sport), sorted by period then sport."""

    weekly: list[RollupRow]
    monthly: list[RollupRow]
    yearly: list[RollupRow]


class Race(BaseModel):
    """An activity marked as a race (workout_type 1 for runs, 11 for rides)."""

    id: int
    name: str
    sport_type: str
    workout_type: int | None
    start_date_local: str = Field(description="naive local wall time, ISO 8601")
    distance_m: float
    moving_time_s: int
    elapsed_time_s: int


class RecordActivity(BaseModel):
    id: int
    name: str
    sport_type: str
    start_date_local: str = Field(description="naive local wall time, ISO 8601")
    distance_m: float
    elevation_m: float


class Records(BaseModel):
    """Longest activity (distance) and biggest climb (elevation gain); null when none."""

    longest: RecordActivity | None
    biggest_climb: RecordActivity | None


class RecordGroups(BaseModel):
    overall: Records
    ride: Records
    run: Records


class AthleteStats(BaseModel):
    """The stats engine's document (stravasync.stats.compute.compute_stats)."""

    athlete_id: int
    version: int = Field(description="the stats rules' version")
    computed_at: str | None = Field(description="ISO 8601 when cached; null: computed now")
    activity_count: int = Field(description="live activities with a known start")
    day_basis: Literal["local"] = Field(description="days and periods use local wall time")
    eddington: EddingtonGroups
    rollups: Rollups
    races: list[Race] = Field(description="newest first")
    records: RecordGroups


class CronResult(BaseModel):
    synced: int
    failed: int
    skipped: int
    deferred: int
    session_id: str | None
