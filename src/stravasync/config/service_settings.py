"""The web service: addresses, sessions, request limits, proxies, the pages."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from pydantic import BaseModel, Field, SecretStr, field_validator

from stravasync.config.kinds import http_url


class ServiceArea(BaseModel):
    """The web service."""

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

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        return http_url(value)

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
