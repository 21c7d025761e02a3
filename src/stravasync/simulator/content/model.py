"""Values of the simulated world: athletes, activities with their scheduled edits, changes.

An :class:`Activity` holds its values at upload plus a schedule of :class:`Edit` and an optional
deletion time; its state at any moment is a pure function of that moment. Times are epoch seconds.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

ChangeKind = Literal["create", "update", "delete", "deauth"]

ATHLETE_ID_BASE = 10_000_000
ACTIVITY_EPOCH = 1_230_768_000  # 2009-01-01: activity ids count upload seconds from here


def athlete_id_of(index: int) -> int:
    return ATHLETE_ID_BASE + index


def index_of(athlete_id: int) -> int:
    return athlete_id - ATHLETE_ID_BASE


@dataclass(frozen=True, slots=True)
class Gear:
    """A bike or pair of shoes. Retired gear is on old activities but not in GET /athlete."""

    id: str  # "b123" bikes, "g123" shoes
    name: str
    primary: bool
    distance: float
    retired: bool = False
    description: str = ""

    @property
    def brand(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def model(self) -> str:
        return self.name.split(" ", 1)[-1]

    @property
    def is_bike(self) -> bool:
        return self.id.startswith("b")


@dataclass(frozen=True, slots=True)
class AthleteProfile:
    """Who an athlete is; generated from (seed, index) alone."""

    index: int
    id: int
    firstname: str
    lastname: str
    username: str
    sex: str
    city: str
    state: str
    country: str
    tz_name: str
    home: tuple[float, float]
    created_at: int
    rate_class: str  # daily | several | weekly | dormant | heavy
    per_week: float
    mix: dict[str, float]
    start_hour: float
    has_hr: bool
    has_power: bool
    devices: tuple[str, ...]
    bikes: tuple[Gear, ...]
    shoes: tuple[Gear, ...]
    private_share: float
    followers_share: float
    popularity: float  # mean kudos per public activity
    follower_count: int
    friend_count: int
    premium: bool
    weight: float
    ftp: int | None
    history_days: int
    connect_offset: int  # seconds after the world start at which the athlete connects
    deauth_offset: int | None  # seconds after start at which the athlete revokes by themselves


@dataclass(frozen=True, slots=True)
class Edit:
    """A scheduled change of fields at ``at``. ``event`` is what a webhook carries (or None)."""

    at: int
    fields: dict[str, Any]
    event: dict[str, str] | None


BASE_KEYS: tuple[str, ...] = (
    "name",
    "distance",
    "moving_time",
    "elapsed_time",
    "total_elevation_gain",
    "elev_high",
    "elev_low",
    "type",
    "sport_type",
    "workout_type",
    "start_latlng",
    "end_latlng",
    "achievement_count",
    "comment_count",
    "athlete_count",
    "photo_count",
    "total_photo_count",
    "trainer",
    "commute",
    "manual",
    "private",
    "visibility",
    "flagged",
    "gear_id",
    "average_speed",
    "max_speed",
    "average_cadence",
    "average_watts",
    "weighted_average_watts",
    "kilojoules",
    "device_watts",
    "has_heartrate",
    "average_heartrate",
    "max_heartrate",
    "pr_count",
    "hide_from_home",
    "device_name",
    "description",
    "calories",
    "location_country",
)
_INDEX = {key: i for i, key in enumerate(BASE_KEYS)}


def pack(base: dict[str, Any]) -> tuple[Any, ...]:
    """The compact form of an activity's values (a tuple in :data:`BASE_KEYS` order)."""
    if set(base) != set(BASE_KEYS):
        raise ValueError(f"unexpected activity keys: {set(base) ^ set(BASE_KEYS)}")
    return tuple(base[key] for key in BASE_KEYS)


@dataclass(slots=True)
class Activity:
    """One activity: values at upload, a schedule of edits, kudos arrivals, maybe a deletion.

    Values are kept as a tuple (``values``, in :data:`BASE_KEYS` order) to keep a large world
    small; ``base`` and ``fields_at`` give dicts.
    """

    id: int
    athlete_index: int
    athlete_id: int
    seed: int
    start: int
    utc_offset: int
    tz_label: str
    upload_at: int
    visible_at: int
    values: tuple[Any, ...]
    edits: tuple[Edit, ...] = ()
    deleted_at: int | None = None
    kudos_after: array[int] | None = None  # seconds after visible_at, sorted (uint32)
    summary_cache: tuple[Any, bytes] | None = None
    poly_cache: tuple[float, str] | None = None

    @property
    def base(self) -> dict[str, Any]:
        """The values at upload, as a dict."""
        return dict(zip(BASE_KEYS, self.values, strict=True))

    def initial(self, key: str) -> Any:
        """One value at upload (no dict built)."""
        return self.values[_INDEX[key]]

    def visible(self, now: int) -> bool:
        return self.visible_at <= now and (self.deleted_at is None or now < self.deleted_at)

    def edits_applied(self, now: int) -> int:
        """How many scheduled edits are in effect at ``now`` (edits are sorted by time)."""
        n = 0
        for edit in self.edits:
            if edit.at > now:
                break
            n += 1
        return n

    def fields_at(self, now: int) -> dict[str, Any]:
        """The current values of the mutable fields at ``now``."""
        n = self.edits_applied(now)
        merged = self.base
        for edit in self.edits[:n]:
            merged.update(edit.fields)
        return merged

    def kudos_count(self, now: int) -> int:
        if self.kudos_after is None or now < self.visible_at:
            return 0
        return bisect_right(self.kudos_after, now - self.visible_at)

    def kudos_times(self) -> list[int]:
        """Epoch seconds at which each kudo arrives."""
        return [self.visible_at + k for k in self.kudos_after or ()]


@dataclass(frozen=True, slots=True)
class Change:
    """One ground-truth change, visible from ``visible_at``.

    ``kind`` is create | update | delete | deauth; ``fields`` the new values (for update);
    ``webhook`` whether Strava sends an event for it; ``event_updates`` the event's ``updates``.
    """

    visible_at: datetime
    kind: ChangeKind
    athlete_id: int
    activity_id: int | None
    fields: dict[str, Any]
    webhook: bool
    event_updates: dict[str, str]
    at: int  # epoch seconds of visible_at

    def as_json(self) -> dict[str, Any]:
        return {
            "visible_at": self.visible_at.isoformat().replace("+00:00", "Z"),
            "kind": self.kind,
            "athlete_id": self.athlete_id,
            "activity_id": self.activity_id,
            "fields": self.fields,
            "webhook": self.webhook,
        }
