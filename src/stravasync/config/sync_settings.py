"""The sync engine: cadences, enrichment, webhooks, purges, filters."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field, field_validator, model_validator

from stravasync.config.kinds import StravaCount


class SyncArea(BaseModel):
    """The sync engine."""

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
    sync_refresh_busy_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="while a history is owed (a new athlete's summaries or details), the part "
        "of its spare share the refresh keeps; the history gets the rest (1: freshness first, "
        "the history only from what the refresh leaves)",
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

    @model_validator(mode="after")
    def _cadence_order(self) -> Self:
        skip, active = self.sync_skip_hours, self.sync_active_hours
        dormant, everyone = self.sync_dormant_hours, self.sync_everyone_hours
        if not skip < active <= dormant <= everyone:
            raise ValueError(
                "the polling cadence must satisfy skip < active <= dormant <= everyone "
                f"(got {skip:g} h, {active:g} h, {dormant:g} h, {everyone:g} h)"
            )
        return self
