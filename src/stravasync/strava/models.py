"""Typed views of Strava's JSON, tolerant of what Strava adds later.

Every model accepts unknown fields (kept as extras) and keeps the exact JSON it was built from
in ``raw``: the store saves ``raw`` so a schema change never costs quota. Enumerations that
grow over time (``sport_type``, ``type``, stream types, ``visibility``) are plain strings; the
known values are listed for callers that want to check them.
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from stravasync.strava.errors import UnexpectedResponse

# SportType of Strava's published swagger (2026: 56 values; tests/contract checks it stays equal).
KNOWN_SPORT_TYPES = frozenset(
    [
        "AlpineSki",
        "BackcountrySki",
        "Badminton",
        "Basketball",
        "Canoeing",
        "Cricket",
        "Crossfit",
        "Dance",
        "EBikeRide",
        "Elliptical",
        "EMountainBikeRide",
        "Golf",
        "GravelRide",
        "Handcycle",
        "HighIntensityIntervalTraining",
        "Hike",
        "IceSkate",
        "InlineSkate",
        "Kayaking",
        "Kitesurf",
        "MountainBikeRide",
        "NordicSki",
        "Padel",
        "PhysicalTherapy",
        "Pickleball",
        "Pilates",
        "Racquetball",
        "Ride",
        "RockClimbing",
        "RollerSki",
        "Rowing",
        "Run",
        "Sail",
        "Skateboard",
        "Snowboard",
        "Snowshoe",
        "Soccer",
        "Squash",
        "StairStepper",
        "StandUpPaddling",
        "Surfing",
        "Swim",
        "TableTennis",
        "Tennis",
        "TrailRun",
        "Velomobile",
        "VirtualRide",
        "VirtualRow",
        "VirtualRun",
        "Volleyball",
        "Walk",
        "WeightTraining",
        "Wheelchair",
        "Windsurf",
        "Workout",
        "Yoga",
    ]
)


class StravaModel(BaseModel):
    """Base: extras allowed, raw JSON kept (``.raw``), built with :meth:`parse`."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def raw(self) -> dict[str, Any]:
        return self._raw

    @classmethod
    def parse(cls, data: Any) -> Self:
        """Validate a JSON object; raise :class:`UnexpectedResponse` if it does not fit."""
        if not isinstance(data, dict):
            raise UnexpectedResponse(cls.__name__, "expected a JSON object")
        try:
            model = cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise UnexpectedResponse(cls.__name__, f"{where}: {first.get('msg')}") from None
        model._raw = data
        return model


M = TypeVar("M", bound=StravaModel)


def parse_list(model: type[M], data: Any) -> list[M]:
    """A JSON array of ``model`` objects (raise :class:`UnexpectedResponse` otherwise)."""
    if not isinstance(data, list):
        raise UnexpectedResponse(model.__name__, "expected a JSON array")
    return [model.parse(item) for item in data]


class AthleteRef(StravaModel):
    id: int
    resource_state: int | None = None


class PolylineMap(StravaModel):
    id: str | None = None
    summary_polyline: str | None = None
    polyline: str | None = None


class SummaryActivity(StravaModel):
    id: int
    athlete: AthleteRef
    name: str | None = None
    resource_state: int | None = None
    distance: float | None = None
    moving_time: int | None = None
    elapsed_time: int | None = None
    total_elevation_gain: float | None = None
    elev_high: float | None = None
    elev_low: float | None = None
    type: str | None = None
    sport_type: str | None = None
    workout_type: int | None = None
    start_date: str | None = None
    start_date_local: str | None = None
    timezone: str | None = None
    utc_offset: float | None = None
    start_latlng: list[float] | None = None
    end_latlng: list[float] | None = None
    map: PolylineMap | None = None
    trainer: bool | None = None
    commute: bool | None = None
    manual: bool | None = None
    private: bool | None = None
    visibility: str | None = None
    gear_id: str | None = None
    kudos_count: int | None = None
    comment_count: int | None = None
    achievement_count: int | None = None
    pr_count: int | None = None
    average_speed: float | None = None
    max_speed: float | None = None
    average_heartrate: float | None = None
    max_heartrate: float | None = None
    average_watts: float | None = None
    kilojoules: float | None = None
    upload_id: int | None = None
    external_id: str | None = None

    @property
    def known_sport(self) -> bool:
        return self.sport_type in KNOWN_SPORT_TYPES


class Lap(StravaModel):
    id: int
    name: str | None = None
    lap_index: int | None = None
    elapsed_time: int | None = None
    moving_time: int | None = None
    distance: float | None = None
    start_index: int | None = None
    end_index: int | None = None


class DetailedActivity(SummaryActivity):
    description: str | None = None
    calories: float | None = None
    laps: list[dict[str, Any]] | None = None
    splits_metric: list[dict[str, Any]] | None = None
    splits_standard: list[dict[str, Any]] | None = None
    segment_efforts: list[dict[str, Any]] | None = None
    best_efforts: list[dict[str, Any]] | None = None


class Stream(StravaModel):
    data: list[Any]
    series_type: str | None = None
    original_size: int | None = None
    resolution: str | None = None


class StreamSet(StravaModel):
    """Streams keyed by type (``key_by_type=true``); types the activity lacks are absent."""

    def streams(self) -> dict[str, Stream]:
        return {k: Stream.parse(v) for k, v in self.raw.items() if isinstance(v, dict)}


class SummaryAthlete(StravaModel):
    """An athlete as others see them. No field is guaranteed: kudoers come without ``id``
    (``{"resource_state": 2, "firstname": "Ann", "lastname": "B."}``), as in Strava's own
    swagger example of GET /activities/{id}/kudos."""

    id: int | None = None
    username: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    resource_state: int | None = None


class OwnAthlete(SummaryAthlete):
    """The token's own athlete (token answers, GET /athlete): its ``id`` is always there."""

    id: int


class SummaryGear(StravaModel):
    """A bike or pair of shoes as GET /athlete lists them (``resource_state`` 2). Strava also
    sends ``retired``, ``nickname`` and ``converted_distance``, which its swagger omits."""

    id: str
    name: str | None = None
    primary: bool | None = None
    distance: float | None = None
    resource_state: int | None = None
    retired: bool | None = None


class DetailedGear(SummaryGear):
    """GET /gear/{id} (``resource_state`` 3): brand, model, description; ``frame_type`` for
    bikes only."""

    brand_name: str | None = None
    model_name: str | None = None
    frame_type: int | None = None
    description: str | None = None


class DetailedAthlete(OwnAthlete):
    """GET /athlete. ``bikes`` and ``shoes`` come only with ``profile:read_all`` (the detailed
    form, ``resource_state`` 3); without it they are absent (None), not empty."""

    city: str | None = None
    country: str | None = None
    sex: str | None = None
    premium: bool | None = None
    created_at: str | None = None
    bikes: list[SummaryGear] | None = None
    shoes: list[SummaryGear] | None = None

    @property
    def lists_gear(self) -> bool:
        """Whether this answer lists the athlete's gear (the detailed representation)."""
        return self.bikes is not None or self.shoes is not None


class ActivityTotal(StravaModel):
    count: int = 0
    distance: float = 0.0
    moving_time: int = 0
    elapsed_time: int = 0
    elevation_gain: float = 0.0
    achievement_count: int | None = None


class ActivityStats(StravaModel):
    biggest_ride_distance: float | None = None
    biggest_climb_elevation_gain: float | None = None
    recent_ride_totals: ActivityTotal | None = None
    recent_run_totals: ActivityTotal | None = None
    recent_swim_totals: ActivityTotal | None = None
    ytd_ride_totals: ActivityTotal | None = None
    ytd_run_totals: ActivityTotal | None = None
    ytd_swim_totals: ActivityTotal | None = None
    all_ride_totals: ActivityTotal | None = None
    all_run_totals: ActivityTotal | None = None
    all_swim_totals: ActivityTotal | None = None


class TokenResponse(StravaModel):
    token_type: str = "Bearer"  # noqa: S105
    access_token: str
    refresh_token: str
    expires_at: int
    expires_in: int | None = None
    athlete: OwnAthlete | None = None
    scope: str | None = Field(None, description="not sent by Strava; set from the redirect")


class WebhookEvent(StravaModel):
    object_type: str
    object_id: int
    aspect_type: str
    owner_id: int
    subscription_id: int
    event_time: int
    updates: dict[str, Any] = Field(default_factory=dict)


class PushSubscription(StravaModel):
    id: int
    application_id: int | None = None
    callback_url: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class ActivityPage(BaseModel):
    """One page of GET /athlete/activities, with the request that produced it."""

    activities: list[SummaryActivity]
    page: int
    per_page: int
    before: int | None = None
    after: int | None = None

    @property
    def empty(self) -> bool:
        return not self.activities
