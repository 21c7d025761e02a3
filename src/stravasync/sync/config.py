"""The engine's settings, built from :class:`stravasync.config.Settings`."""

from __future__ import annotations

from dataclasses import dataclass, field

from stravasync.strava.client import STREAM_KEYS
from stravasync.sync.planning.event_reads import EventReadLimits
from stravasync.sync.planning.plan import Cadence
from stravasync.work.retry import RetryPolicy


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    """Mirror only some activities (e.g. races: sport_types={"Run"}, workout_types={1})."""

    sport_types: frozenset[str] | None = None
    workout_types: frozenset[int] | None = None

    def matches(self, summary: dict[str, object]) -> bool:
        if self.sport_types is not None and summary.get("sport_type") not in self.sport_types:
            return False
        return self.workout_types is None or summary.get("workout_type") in self.workout_types

    @property
    def active(self) -> bool:
        return self.sport_types is not None or self.workout_types is not None


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Durations in seconds.

    ``overlap``: an incremental pass lists from the newest known start minus this, so uploads that
    arrive late (device synced days later, manual entries, slow processing) are caught. Default
    8 days, from the upload delays the simulator models on what users report: 80% of uploads
    land within 30 min of the activity's end, 94% within 12 h, the rest up to 7 days later
    (devices synced days afterwards), manual entries up to 3 days; plus a day for the longest
    activities. A wider overlap costs nothing while it fits in one page (200 activities).
    ``refresh_window``: how far back a refresh re-lists. ``page_slice``: backfill pages per
    claim once every new athlete has their newest page (one page per claim before that:
    breadth first).
    """

    cadence: Cadence = field(default_factory=Cadence)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    overlap: float = 8 * 86400
    refresh_window: float = 21 * 86400
    lease: float = 20  # renewed by a heartbeat every third of it while a unit runs
    page_slice: int = 10
    enrich_slice: int = 50
    enrich_window: float = 30 * 86400
    enrich_settle: float = 24 * 3600  # a detail fetched sooner after the end is fetched again
    enrich_streams: bool = False  # in effect now (streams_mode resolved by the engine)
    streams_mode: str = "off"  # auto | on | off (stravasync.sync.planning.streams_policy)
    gear: bool = True  # bikes and shoes (stravasync.sync.gear), at the enrichment class
    gear_refresh: float = 7 * 86400  # gear read again this long after it was last read
    gear_reads: int = 10  # GET /gear/{id} per pass, at most
    # a long backfill reads Strava's count: "watched" (a progress display), "always", "never"
    strava_count: str = "watched"
    enrich_all_efforts: bool = False
    stream_keys: tuple[str, ...] = tuple(STREAM_KEYS)
    purge_grace: float = 7 * 86400
    notify: bool = False
    notify_milestones: bool = False  # athlete.milestone events (needs notify)
    milestone_step_km: int = 1000
    filter: ActivityFilter = field(default_factory=ActivityFilter)
    log_retention_days: float = 7
    inbox_retention_days: float = 7  # processed and ignored webhook events
    event_reads: EventReadLimits = field(default_factory=EventReadLimits)
    read_daily: int | None = None  # the daily read limit the refresh cadence is fitted to
    # spare quota spent on freshness (stravasync.sync.planning.refresh_cadence); 0: fixed hours
    refresh_spare_share: float = 0.0
    refresh_busy_share: float = 0.2  # of that share, what the refresh keeps while a history is owed
    daily_reserve: float = 0.20
    count_token_requests: bool = True
    # jobs on a clock (stravasync.schedule): name -> cron expression, only the enabled ones
    schedules: dict[str, str] = field(default_factory=dict)
    schedule_tz: str = "UTC"
    warehouse: str = "./data/warehouse.duckdb"
    stale_days: float = 7
    flow_deadline: float = 3600
    # operator alerts and the health summary (stravasync.sync.jobs.opsjobs); durations in seconds
    alert_urls: tuple[str, ...] = field(default=(), repr=False)  # they carry secrets
    alert_check: float = 60
    alert_repeat: float = 6 * 3600
    alert_disk_min_free_mb: float = 1024
    alert_webhook_silence: float = 6 * 3600  # 0: off
    webhooks_expected: bool = False  # STRAVASYNC_SYNC_WEBHOOKS=on: a subscription must exist
    health_summary_every: float = 3600  # 0: off
    copies_prune_every: float = 3600  # warehouse behind a purge/deletion: refreshed; 0: off
