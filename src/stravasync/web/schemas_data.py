"""The data API's models: activities, their details and notes, an athlete's stats."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from stravasync.web.bounds import NoNul

MAX_NOTES = 100
MAX_NOTE_KEY = 64
MAX_NOTE_VALUE = 10_000


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
    gear_name: str | None = Field(
        None, description="the bike's or shoes' name (null until the gear was read from Strava)"
    )
    workout_type: int | None
    updated_at: datetime


class GearOut(BaseModel):
    """A bike or pair of shoes, as Strava last described it."""

    id: str = Field(description="Strava's gear id: b123 a bike, g123 shoes")
    kind: Literal["bike", "shoe"]
    name: str | None = Field(description="null when Strava would not show it (404)")
    brand: str | None
    model: str | None
    description: str | None
    distance: float | None = Field(description="metres Strava logs with it (all activities)")
    is_primary: bool
    retired: bool = Field(description="no longer in the athlete's list; still on activities")
    fetched_at: datetime
    refreshed_at: datetime


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


class SyncAsked(BaseModel):
    """A sync asked for one athlete through the data API (the engine runs it when it can)."""

    athlete_id: int
    mode: Literal["incremental"] = "incremental"
    asked_at: datetime
    next_allowed_at: datetime = Field(
        description="the next sync for this athlete may be asked for from then on"
    )
    detail: str


class SyncSwitch(BaseModel):
    """An athlete's automatic sync after a pause or a resume (``auto_sync``: false = paused)."""

    athlete_id: int
    auto_sync: bool
    changed: bool = Field(description="false when it already was so (nothing changed)")
    detail: str
