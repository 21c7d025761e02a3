"""Settings: the only module that reads the environment.

Every setting is an env var ``STRAVASYNC_<NAME>`` (or a line in an optional ``.env`` file).
Defaults work out of the box: a SQLite database under ``./data`` in WAL mode, Strava's real base
URL, the default rate-limit tier. Durations are in seconds unless the name says otherwise.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from stravasync.errors import ConfigError

ENV_PREFIX = "STRAVASYNC_"


class LogFormat(StrEnum):
    HUMAN = "human"
    JSON = "json"


class StravaCount(StrEnum):
    """When a long backfill reads Strava's count of the athlete's activities (one read)."""

    WATCHED = "watched"  # only when someone watches the run's progress (a terminal)
    ALWAYS = "always"
    NEVER = "never"


class Settings(BaseSettings):
    """All of stravasync's configuration. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    # --- store -----------------------------------------------------------------------------
    database_url: str = Field(
        "sqlite:///./data/stravasync.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    database_echo: bool = False

    # --- logging ---------------------------------------------------------------------------
    log_format: LogFormat = LogFormat.HUMAN
    log_level: str = "INFO"

    # --- Strava application and tokens ----------------------------------------------------
    strava_base_url: str = Field(
        "https://www.strava.com",
        description="One origin serving /api/v3 and /oauth (today's Strava, or a simulator)",
    )
    strava_api_url: str | None = Field(
        None,
        description="The API origin, paths without /api/v3 (unset: chosen by the date, "
        "docs/strava-platform.md)",
    )
    strava_oauth_url: str | None = Field(
        None, description="The OAuth origin (unset: STRAVASYNC_STRAVA_BASE_URL)"
    )
    client_id: str | None = None
    client_secret: SecretStr | None = None
    redirect_uri: str = "http://127.0.0.1:8721/oauth/callback"
    secret_key: SecretStr | None = Field(None, description="Fernet key that encrypts tokens")
    key_file: Path = Path("./data/secret.key")
    http_timeout: float = Field(20.0, gt=0, description="seconds per Strava HTTP request")
    token_refresh_margin: int = Field(
        600, ge=0, description="seconds before expiry at which an access token is refreshed"
    )

    # --- rate budget -----------------------------------------------------------------------
    rate_tier: str = Field(
        "default", description="default | standard | extended | unlimited | explicit"
    )
    rate_overall_15min: int | None = Field(None, gt=0)
    rate_overall_daily: int | None = Field(None, gt=0)
    rate_read_15min: int | None = Field(None, gt=0)
    rate_read_daily: int | None = Field(None, gt=0)

    # --- service ---------------------------------------------------------------------------
    public_url: str = "http://127.0.0.1:8721"
    map_tile_url: str | None = Field(
        None,
        description="base-map tiles under the athlete's maps, e.g. "
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png (unset: routes on a plain background; "
        "set, the pages' CSP admits images from that origin only)",
    )
    scheduler: bool = True
    admin_token: SecretStr | None = None
    cron_secret: SecretStr | None = None
    api_key: SecretStr | None = None
    webhook_verify_token: SecretStr | None = None
    metrics_token: SecretStr | None = Field(
        None,
        description="bearer token GET /metrics asks for; unset: /metrics is open (it names no "
        "secret and no subscription id; bind it to a private network or set this)",
    )
    webhook_unconfirmed_share: float = Field(
        0.10,
        gt=0,
        le=1,
        description="share of each read window (15 min, day) that webhook events Strava did "
        "not confirm may spend, in each of two pools: athletes' first such read of the day, "
        "and all later ones (sync.event_reads)",
    )
    webhook_athlete_listings: int = Field(
        4, ge=1, description="listings per athlete per 15 min for events that confirm nothing"
    )
    webhook_athlete_reads: int = Field(
        2,
        ge=0,
        description="single GETs per athlete per 15 min for events that confirm nothing (an "
        "edit of a held activity, a lone event, one a listing did not show)",
    )
    webhook_listing_interval: float = Field(
        30.0, gt=0, le=900, description="seconds between two listings for one athlete's events"
    )
    webhook_inbox_retention_days: float = Field(
        7, ge=1, description="processed and ignored webhook events are deleted after this"
    )
    trusted_proxies: str = Field(
        "",
        description="comma list of proxy addresses/CIDRs whose X-Forwarded-For/-Proto is "
        "believed; empty trusts none (the peer address is the client)",
    )
    http_max_connections: int = Field(
        1000,
        ge=1,
        le=1_000_000,
        description="open client connections a process holds; at it a new one closes the "
        "oldest idle one, or gets 503 when all are busy (lowered to fit the open-file limit)",
    )
    http_header_timeout: float = Field(
        10.0, gt=0, le=3600, description="seconds a client has to send a request's headers"
    )
    http_body_timeout: float = Field(
        30.0, gt=0, le=3600, description="seconds a client has to send a request's whole body"
    )
    http_keepalive_timeout: float = Field(
        5.0, gt=0, le=3600, description="seconds an idle keep-alive connection stays open"
    )
    http_max_header_bytes: int = Field(
        16 * 1024, ge=1024, le=1024 * 1024, description="request line and headers, at most"
    )
    http_max_body_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="request body, at most (webhooks: 16 KiB); larger is 413, unread",
    )
    notify_url: str | None = None
    notify_secret: SecretStr | None = None
    notify_timeout: float = Field(10.0, gt=0, description="seconds per notification POST")
    notify_max_attempts: int = Field(8, ge=1, description="attempts before a dead letter")
    notify_milestones: bool = Field(
        False, description="send athlete.milestone events (Eddington, yearly distance)"
    )
    milestone_step_km: int = Field(
        1000, ge=1, le=100_000, description="yearly distance milestone every this many km"
    )
    ready_min_free_mb: float = Field(
        64.0,
        ge=0,
        description="/readyz reports not ready when the SQLite database's disk has less free",
    )
    webhook_bench_endpoint: bool = Field(
        False, description="also serve POST /webhooks/bare (200, stores nothing) for benchmarks"
    )
    clock_speed: float | None = Field(
        None,
        gt=0,
        description="demos/tests: run the service clock this many times faster than the wall "
        "clock, from clock_origin at clock_wall_origin (as printed by `simulate --speed`)",
    )
    clock_skew_tolerance: float = Field(
        5.0,
        gt=0,
        le=300,
        description="seconds a process's clock may differ from the database's (PostgreSQL) "
        "before the process stops claiming work and /readyz reports not ready; a rate window "
        "or due time further in the future was written by a skewed clock and is repaired",
    )
    clock_origin: datetime | None = None
    clock_wall_origin: float | None = Field(None, description="epoch seconds (time.time())")

    # --- client / budget (issue 4) ------------------------------------------------------------
    # Shape of spending; reasoning for each default in stravasync.strava.ratelimit's docstring.
    budget_cushions: dict[str, float] = Field(
        default_factory=dict,
        description="fraction of each limit a class leaves to the classes above it, overriding "
        'the defaults, e.g. {"backfill": 0.2}',
    )
    budget_paced_from: str = Field(
        "incremental", description="this class and every lower one spread spending over a window"
    )
    budget_burst: float = Field(0.10, ge=0, le=1, description="fraction spendable at a reset")
    budget_release: float = Field(
        0.10, ge=0, le=1, description="final fraction of a quarter hour in which cushions shrink"
    )
    budget_daily_release: float = Field(
        1.0, ge=0, le=1, description="final fraction of a day over which daily cushions shrink"
    )
    budget_guard: float = Field(
        1.0,
        ge=0,
        le=60,
        description="seconds either side of a quarter-hour reset in which nothing is sent",
    )
    budget_daily_reserve: float = Field(
        0.20,
        ge=0,
        lt=1,
        description="fraction of each daily limit the periodic classes (incremental, refresh, "
        "enrich, reconcile) never spend, kept for interactive work, webhooks and new athletes",
    )
    budget_daily_reserve_release: float = Field(
        1_800.0,
        ge=0,
        le=86_400,
        description="final seconds of a day in which the unclaimed daily reserve is released "
        "to incremental, refresh and reconcile (a burst then waits at most this long for a reset)",
    )
    budget_count_token_requests: bool = Field(
        True,
        description="reserve POST /oauth/token (code exchange, refresh) against the limits: "
        "Strava does not document whether it counts them, so by default we assume it does",
    )
    http_max_retries: int = Field(3, ge=0, le=10, description="retries of a transient failure")
    token_lock_ttl: float = Field(
        120.0, gt=0, description="seconds a crashed token refresh keeps the athlete locked"
    )
    oauth_scopes: str = "read,activity:read_all,profile:read_all"
    require_private_scope: bool = Field(
        True, description="refuse a connection without activity:read_all (private activities)"
    )
    athlete_capacity: int | None = Field(
        None,
        ge=1,
        description="athletes the Strava application may connect (its capacity on "
        "strava.com/settings/api); a new connection beyond it is refused in plain words",
    )

    # --- sync engine (issue 5) ---------------------------------------------------------------
    sync_webhooks: str = Field(
        "auto", description="auto (on once a subscription exists) | on | off: polling cadence"
    )
    sync_overlap_hours: float = Field(
        192,
        ge=0,
        description="incremental re-lists this far back from the newest known start (late uploads)",
    )
    sync_refresh_window_days: float = Field(21, gt=0, description="refresh re-lists this window")
    sync_skip_hours: float = Field(
        1, ge=0, description="polling cadence: never re-list an athlete synced sooner than this"
    )
    sync_active_hours: float = Field(2, gt=0, description="polling cadence, active athletes")
    sync_dormant_hours: float = Field(4, gt=0, description="polling cadence, dormant athletes")
    sync_everyone_hours: float = Field(6, gt=0, description="polling cadence: everyone by this")
    sync_active_days: float = Field(
        7, gt=0, le=3650, description="an athlete with an activity this recent is active"
    )
    sync_refresh_spare_share: float = Field(
        0.6,
        ge=0,
        le=1,
        description="with webhooks: share of the spare daily reads (after the reserve and the "
        "uploads' expected cost) the refresh spends re-listing recently active athletes more "
        "often (silent edits); 0: the fixed refresh hours below",
    )
    sync_refresh_active_hours: float = Field(12, gt=0)
    sync_refresh_inactive_hours: float = Field(48, gt=0)
    sync_reconcile_days: float = Field(3, gt=0, description="full-history listing cadence")
    sync_enrich: bool = True
    sync_enrich_days: float = Field(
        30, gt=0, description="automatic enrichment covers activities started this recently"
    )
    sync_enrich_settle_hours: float = Field(
        24,
        ge=0,
        le=24 * 30,
        description="a detail fetched sooner than this after the activity ended is fetched "
        "once more when this has passed (silent description edits); 0: never",
    )
    sync_enrich_streams: str = Field(
        "auto",
        description="auto (on while connected athletes are at most 101 per 1,000 daily reads: "
        "docs/configuration.md#streams) | on | off: fetch each enriched activity's streams "
        "(one read per activity)",
    )
    sync_gear: bool = Field(
        True,
        description="mirror the athletes' bikes and shoes (GET /athlete, GET /gear/{id}) at "
        "the enrichment class",
    )
    sync_gear_refresh_days: float = Field(
        7, gt=0, le=365, description="gear is read again this long after it was last read"
    )
    sync_enrich_all_efforts: bool = False
    sync_strava_count: StravaCount = Field(
        StravaCount.WATCHED,
        description="watched | always | never: when a backfill whose first page is full reads "
        "Strava's count (GET /athletes/{id}/stats, one read) for its total and ETA",
    )
    sync_purge_grace_days: float = Field(7, ge=0, description="data kept after a revocation")
    sync_filter_sport_types: str = Field("", description="comma list; empty mirrors every sport")
    sync_filter_workout_types: str = Field("", description="comma list of ints, e.g. 1 (races)")
    sync_max_attempts: int = Field(6, ge=1)
    sync_lease_seconds: float = Field(
        20,
        ge=1,
        description="lease on a unit of work, renewed by a heartbeat every third of it while the"
        " unit runs: a killed worker's work is resumed by another within this time",
    )
    sync_log_retention_days: float = Field(7, gt=0)

    # --- schedules on a clock (issue 15) -----------------------------------------------------
    schedule_tz: str = Field("UTC", description="IANA time zone the schedules are read in")
    schedule_warehouse_refresh: str = Field(
        "", description="cron expression: export --format duckdb into export_warehouse; empty: off"
    )
    schedule_daily_flow: str = Field(
        "", description="cron expression: sync everyone until idle, enrich, warehouse; empty: off"
    )
    schedule_stale_report: str = Field(
        "0 6 * * 1", description="cron expression: report athletes not synced in stale_days"
    )
    schedule_stale_days: float = Field(7, gt=0, le=365)
    schedule_flow_deadline: float = Field(
        3600, gt=0, le=86400, description="seconds the daily flow's sync may take"
    )

    # --- operations: alerts, health summary, copies (issue 23) ---------------------------
    alert_urls: SecretStr | None = Field(
        None,
        description="Apprise URLs (ntfy://, slack://, discord://, mailto://, tgram://, json://"
        " ...), space or comma separated, that operator alerts go to; never logged",
    )
    alert_check_seconds: float = Field(
        60, ge=1, le=86400, description="how often the alert conditions are checked"
    )
    alert_repeat_hours: float = Field(
        6, gt=0, le=720, description="a condition still holding is alerted again after this"
    )
    alert_disk_min_free_mb: float = Field(
        1024, ge=0, description="alert when less is free where the database (or data) lives"
    )
    alert_webhook_silence_hours: float = Field(
        6,
        ge=0,
        description="alert when polling mirrors a new activity this long after the last webhook"
        " event (the callback may be failing); 0: off",
    )
    health_summary_seconds: float = Field(
        3600, ge=0, le=86400, description="a health summary line in the log this often; 0: off"
    )
    copies_prune_seconds: float = Field(
        3600,
        ge=0,
        le=86400,
        description="the warehouse follows a purge or deletion at once (the removal makes the"
        " copies_prune job due) and at the latest within this; 0: off",
    )

    # --- simulator (issue 3) -----------------------------------------------------------------

    # --- stats / export / archive (issue 8) --------------------------------------------------
    export_warehouse: Path = Field(
        Path("./data/warehouse.duckdb"),
        description="DuckDB file of `export --format duckdb` (default --out) and `query`",
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return upper

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not (value.startswith("sqlite") or value.startswith("postgresql")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        return value

    @field_validator("sync_enrich_streams", mode="before")
    @classmethod
    def _streams_mode(cls, value: object) -> str:
        """auto | on | off; booleans (the setting's former form) read as on / off."""
        text = str(value).strip().lower()
        text = {"true": "on", "1": "on", "yes": "on", "false": "off", "0": "off", "no": "off"}.get(
            text, text
        )
        if text not in {"auto", "on", "off"}:
            raise ValueError("must be one of auto, on, off")
        return text

    @field_validator("sync_webhooks")
    @classmethod
    def _webhooks_mode(cls, value: str) -> str:
        if value not in {"auto", "on", "off"}:
            raise ValueError("must be one of auto, on, off")
        return value

    @field_validator("sync_filter_workout_types")
    @classmethod
    def _int_list(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            if not part.lstrip("-").isdigit():
                raise ValueError("must be a comma-separated list of integers")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_list(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        for part in parts:
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or CIDR network") from None
        return ",".join(parts)

    @field_validator("rate_tier")
    @classmethod
    def _known_tier(cls, value: str) -> str:
        allowed = {"default", "standard", "extended", "unlimited", "explicit"}
        if value not in allowed:
            raise ValueError("must be one of " + ", ".join(sorted(allowed)))
        return value

    @field_validator("budget_cushions")
    @classmethod
    def _known_classes(cls, value: dict[str, float]) -> dict[str, float]:
        names = {
            "interactive",
            "webhook",
            "incremental",
            "refresh",
            "backfill",
            "enrich",
            "reconcile",
        }
        for key, fraction in value.items():
            if key.lower() not in names:
                raise ValueError("keys must be among " + ", ".join(sorted(names)))
            if not 0 <= fraction < 1:
                raise ValueError("each cushion is a fraction in [0, 1)")
        return {k.lower(): v for k, v in value.items()}

    @field_validator("budget_paced_from")
    @classmethod
    def _known_class(cls, value: str) -> str:
        names = {
            "interactive",
            "webhook",
            "incremental",
            "refresh",
            "backfill",
            "enrich",
            "reconcile",
        }
        if value.lower() not in names:
            raise ValueError("must be one of " + ", ".join(sorted(names)))
        return value.lower()

    @field_validator("schedule_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from stravasync.schedule import zone

        zone(value)
        return value

    @field_validator("schedule_warehouse_refresh", "schedule_daily_flow", "schedule_stale_report")
    @classmethod
    def _cron(cls, value: str) -> str:
        from stravasync.schedule import check_expression

        return check_expression(value) if value.strip() else ""

    @model_validator(mode="after")
    def _cadence_order(self) -> Settings:
        skip, active = self.sync_skip_hours, self.sync_active_hours
        dormant, everyone = self.sync_dormant_hours, self.sync_everyone_hours
        if not skip < active <= dormant <= everyone:
            raise ValueError(
                "the polling cadence must satisfy skip < active <= dormant <= everyone "
                f"(got {skip:g} h, {active:g} h, {dormant:g} h, {everyone:g} h)"
            )
        return self

    @field_validator("strava_api_url", "strava_oauth_url")
    @classmethod
    def _optional_http_url(cls, value: str | None) -> str | None:
        return _http_url(value) if value else None

    @field_validator("strava_base_url", "public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("map_tile_url")
    @classmethod
    def _tile_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("https://") or not all(k in value for k in ("{z}", "{x}", "{y}")):
            raise ValueError("an https:// URL template with {z}, {x} and {y}")
        if any(c in value for c in " ;'\"\\"):
            raise ValueError("no spaces, quotes or semicolons")
        return value


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


# A check across several fields (a model validator) has no field location: name the group.
_CROSS_FIELD = "SYNC_{SKIP,ACTIVE,DORMANT,EVERYONE}_HOURS"


def _variable_name(loc: tuple[Any, ...]) -> str:
    field = str(loc[0]) if loc else _CROSS_FIELD
    return ENV_PREFIX + field.upper()


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment (and ``.env``); raise :class:`ConfigError` if invalid.

    The error names the first bad variable and what it allows, in one line.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(_variable_name(tuple(first.get("loc", ()))), message) from None
