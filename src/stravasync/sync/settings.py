"""Building the engine's configuration from :class:`stravasync.config.Settings`."""

from __future__ import annotations

from sqlalchemy import Connection, select

from stravasync.alerts.deliver import split_urls
from stravasync.config import Settings
from stravasync.store.schema import app_settings
from stravasync.strava.setup import limits_from_settings
from stravasync.sync.config import ActivityFilter, EngineConfig
from stravasync.sync.planning.event_reads import EventReadLimits
from stravasync.sync.planning.plan import Cadence
from stravasync.work.retry import RetryPolicy

WEBHOOK_SUBSCRIPTION_KEY = "webhook_subscription_id"
WEBHOOK_CALLBACK_KEY = "webhook_callback_url"  # where Strava sends events (the dashboard shows it)


def webhooks_on(settings: Settings, conn: Connection) -> bool:
    """``auto``: webhooks are relied upon once a subscription id is stored."""
    if settings.sync_webhooks != "auto":
        return settings.sync_webhooks == "on"
    value = conn.execute(
        select(app_settings.c.value_json).where(app_settings.c.key == WEBHOOK_SUBSCRIPTION_KEY)
    ).scalar()
    return value is not None


def _csv(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def engine_config(settings: Settings, *, webhooks: bool) -> EngineConfig:
    sports = _csv(settings.sync_filter_sport_types)
    workouts = _csv(settings.sync_filter_workout_types)
    return EngineConfig(
        cadence=Cadence(
            webhooks=webhooks,
            skip_recent=settings.sync_skip_hours * 3600,
            active_every=settings.sync_active_hours * 3600,
            inactive_every=settings.sync_dormant_hours * 3600,
            always_every=settings.sync_everyone_hours * 3600,
            active_days=settings.sync_active_days,
            refresh_hot_every=settings.sync_refresh_active_hours * 3600,
            refresh_active_every=settings.sync_refresh_active_hours * 3600,
            refresh_inactive_every=settings.sync_refresh_inactive_hours * 3600,
            reconcile_every=settings.sync_reconcile_days * 86400,
            enrich=settings.sync_enrich,
        ),
        retry=RetryPolicy(max_attempts=settings.sync_max_attempts),
        overlap=settings.sync_overlap_hours * 3600,
        refresh_window=settings.sync_refresh_window_days * 86400,
        lease=settings.sync_lease_seconds,
        enrich_window=settings.sync_enrich_days * 86400,
        enrich_settle=settings.sync_enrich_settle_hours * 3600,
        enrich_streams=settings.sync_enrich_streams == "on",
        streams_mode=settings.sync_enrich_streams,
        gear=settings.sync_gear,
        gear_refresh=settings.sync_gear_refresh_days * 86400,
        strava_count=settings.sync_strava_count.value,
        enrich_all_efforts=settings.sync_enrich_all_efforts,
        purge_grace=settings.sync_purge_grace_days * 86400,
        notify=settings.notify_url is not None,
        notify_milestones=settings.notify_milestones,
        milestone_step_km=settings.milestone_step_km,
        filter=ActivityFilter(
            sport_types=frozenset(sports) if sports else None,
            workout_types=frozenset(int(w) for w in workouts) if workouts else None,
        ),
        log_retention_days=settings.sync_log_retention_days,
        inbox_retention_days=settings.webhook_inbox_retention_days,
        event_reads=EventReadLimits(
            athlete_listings=settings.webhook_athlete_listings,
            athlete_reads=settings.webhook_athlete_reads,
            listing_interval=settings.webhook_listing_interval,
            share=settings.webhook_unconfirmed_share,
            read_15min=limits_from_settings(settings).read_15min,
            read_daily=limits_from_settings(settings).read_daily,
        ),
        read_daily=limits_from_settings(settings).read_daily,
        refresh_spare_share=settings.sync_refresh_spare_share,
        refresh_busy_share=settings.sync_refresh_busy_share,
        daily_reserve=settings.budget_daily_reserve,
        count_token_requests=settings.budget_count_token_requests,
        schedules={
            name: expr
            for name, expr in (
                ("warehouse_refresh", settings.schedule_warehouse_refresh),
                ("daily_flow", settings.schedule_daily_flow),
                ("stale_report", settings.schedule_stale_report),
            )
            if expr
        },
        schedule_tz=settings.schedule_tz,
        warehouse=str(settings.export_warehouse),
        stale_days=settings.schedule_stale_days,
        flow_deadline=settings.schedule_flow_deadline,
        alert_urls=tuple(
            split_urls(settings.alert_urls.get_secret_value()) if settings.alert_urls else ()
        ),
        alert_check=settings.alert_check_seconds,
        alert_repeat=settings.alert_repeat_hours * 3600,
        alert_disk_min_free_mb=settings.alert_disk_min_free_mb,
        alert_webhook_silence=settings.alert_webhook_silence_hours * 3600,
        webhooks_expected=settings.sync_webhooks == "on",
        health_summary_every=settings.health_summary_seconds,
        copies_prune_every=settings.copies_prune_seconds,
    )
