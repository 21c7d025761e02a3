"""Schedules on a clock, operations (alerts, health, copies), the simulator, exports."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator


class OpsArea(BaseModel):
    """Schedules on a clock, operations (alerts, health, copies), the simulator, exports.."""

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
