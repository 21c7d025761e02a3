"""Prometheus metrics: one registry per app (so tests never clash) plus a collector that reads
queue depths, quota and sync durations from the database at scrape time (the database is the
only state that matters, and every process sees the same numbers)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import Connection, func, select

from stravasync.store import Database
from stravasync.store.operator import appstate as appstate_q
from stravasync.store.schema import (
    jobs,
    notifications,
    rate_budget,
    rate_history,
    sync_sessions,
    sync_state,
    webhook_events,
)
from stravasync.strava.calls import API_CALLS

log = logging.getLogger(__name__)

DURATION_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)
STAGE_BUCKETS = (0.01, 0.05, 0.25, 1.0, 5.0, 30.0, 120.0, 600.0)


class Metrics:
    """The counters routes increment, and the registry ``/metrics`` renders."""

    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "stravasync_http_requests",
            "HTTP requests answered, by route template and status",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.webhook_events = Counter(
            "stravasync_webhook_events_received",
            "Webhook POSTs by outcome: accepted (stored, redelivered or for another "
            "subscription, alike), rejected (malformed), validation_refused",
            ["outcome"],
            registry=self.registry,
        )
        self.auth_refused = Counter(
            "stravasync_auth_refused",
            "Wrong secrets by realm (admin, login, api, cron, verify, connect) and answer: "
            "wrong (401/403) or limited (429)",
            ["realm", "answer"],
            registry=self.registry,
        )
        self.registry.register(StoreCollector(db, now))
        self.registry.register(StravaCallsCollector())

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _queue_depths(conn: Connection, now: datetime) -> Iterator[tuple[str, int, float]]:
    """(kind, due now, age in seconds of the oldest due row) per queue."""
    queues = [
        ("athlete", sync_state, sync_state.c.dead.is_(False)),
        ("webhook_event", webhook_events, webhook_events.c.state == "pending"),
        ("notification", notifications, notifications.c.state == "pending"),
        ("job", jobs, jobs.c.state == "pending"),
    ]
    for kind, table, cond in queues:
        n, oldest = conn.execute(
            select(func.count(), func.min(table.c.due_at)).where(cond, table.c.due_at <= now)
        ).one()
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        yield kind, int(n), max(age, 0.0)


class StravaCallsCollector(Collector):
    """Requests this process sent to Strava, by endpoint template and status."""

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "stravasync_strava_api_requests",
            "Requests sent to Strava by this process, by endpoint and status (0: no answer)",
            labels=["endpoint", "status"],
        )
        for (endpoint, status), count in sorted(API_CALLS.snapshot().items()):
            family.add_metric([endpoint, str(status)], count)
        yield family


class StoreCollector(Collector):
    """Gauges read from the tables on every scrape."""

    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        try:
            with self.db.engine.connect() as conn:
                yield from self._collect(conn, self.now())
        except Exception as exc:  # a scrape must not fail because the database hiccupped
            log.warning("metrics: store collector failed: %s", type(exc).__name__)

    @staticmethod
    def _app_state(conn: Connection) -> Metric:
        """1 for the app-level condition that holds (nothing is sent to Strava), else 0."""
        family = GaugeMetricFamily(
            "stravasync_app_suspended",
            "1 while Strava refuses the application (no request is sent but probes)",
            labels=["condition"],
        )
        state = appstate_q.get(conn)
        for condition in ("application_inactive", "invalid_client"):
            held = state is not None and state.condition == condition
            family.add_metric([condition], 1.0 if held else 0.0)
        return family

    def _collect(self, conn: Connection, now: datetime) -> Iterator[Metric]:
        used = GaugeMetricFamily(
            "stravasync_budget_used", "Requests used in the window", labels=["limit", "window"]
        )
        remaining = GaugeMetricFamily(
            "stravasync_budget_remaining", "Requests left in the window", labels=["limit", "window"]
        )
        for r in conn.execute(select(rate_budget)).mappings():
            labels = [r["limit_class"], r["window"]]
            used.add_metric(labels, r["used"])
            remaining.add_metric(labels, max(r["limit_value"] - r["used"], 0))
        yield used
        yield remaining
        throttled = GaugeMetricFamily(
            "stravasync_http_429", "429 answers from Strava, all windows recorded", labels=["limit"]
        )
        for limit, n in conn.execute(
            select(rate_history.c.limit_class, func.sum(rate_history.c.http_429)).group_by(
                rate_history.c.limit_class
            )
        ):
            throttled.add_metric([limit], float(n or 0))
        yield throttled
        yield self._app_state(conn)
        depth = GaugeMetricFamily("stravasync_queue_due", "Rows due now", labels=["kind"])
        age = GaugeMetricFamily(
            "stravasync_queue_oldest_due_seconds", "Age of the oldest due row", labels=["kind"]
        )
        for kind, n, oldest in _queue_depths(conn, now):
            depth.add_metric([kind], n)
            age.add_metric([kind], oldest)
        yield depth
        yield age
        yield self._failing(conn)
        events = GaugeMetricFamily(
            "stravasync_webhook_events", "Webhook inbox rows by state", labels=["state"]
        )
        for state, n in conn.execute(
            select(webhook_events.c.state, func.count()).group_by(webhook_events.c.state)
        ):
            events.add_metric([state], n)
        yield events
        notes = GaugeMetricFamily(
            "stravasync_notifications", "Outbox rows by state", labels=["state"]
        )
        for state, n in conn.execute(
            select(notifications.c.state, func.count()).group_by(notifications.c.state)
        ):
            notes.add_metric([state], n)
        yield notes
        yield self._durations(conn, now)
        yield self._stages(conn, now)
        yield self._api_calls(conn, now)

    def _failing(self, conn: Connection) -> Metric:
        gauge = GaugeMetricFamily(
            "stravasync_athletes_failing",
            "Athletes whose last unit of work failed: retrying (backoff) or dead (dead letter)",
            labels=["state"],
        )
        counts = {"retrying": 0, "dead": 0}
        for dead, n in conn.execute(
            select(sync_state.c.dead, func.count())
            .where(sync_state.c.last_error.is_not(None))
            .group_by(sync_state.c.dead)
        ):
            counts["dead" if dead else "retrying"] += int(n)
        for state, n in counts.items():
            gauge.add_metric([state], n)
        return gauge

    def _durations(self, conn: Connection, now: datetime) -> Metric:
        rows = conn.execute(
            select(sync_sessions.c.started_at, sync_sessions.c.finished_at).where(
                sync_sessions.c.finished_at.is_not(None),
                sync_sessions.c.started_at >= now - timedelta(days=1),
            )
        ).all()
        seconds = [(f - s).total_seconds() for s, f in rows]
        buckets = [(str(b), float(sum(1 for x in seconds if x <= b))) for b in DURATION_BUCKETS]
        buckets.append(("+Inf", float(len(seconds))))
        hist = HistogramMetricFamily(
            "stravasync_sync_duration_seconds", "Sync session durations over the last 24 h"
        )
        hist.add_metric([], buckets, sum_value=sum(seconds))
        return hist

    def _stages(self, conn: Connection, now: datetime) -> Metric:
        """Per mode and stage: the session rows' ``summary_json.stage_seconds`` of the last
        24 h, so every process's passes count. A pass's stages are listing, detail, store,
        stats; an export or warehouse run's (mode ``export``/``warehouse``) query, write, views."""
        rows = conn.execute(
            select(sync_sessions.c.mode, sync_sessions.c.summary_json).where(
                sync_sessions.c.finished_at.is_not(None),
                sync_sessions.c.started_at >= now - timedelta(days=1),
            )
        ).all()
        seen: dict[tuple[str, str], list[float]] = {}
        for mode, summary in rows:
            stages = (summary or {}).get("stage_seconds") if isinstance(summary, dict) else None
            for stage, value in (stages or {}).items():
                if isinstance(value, int | float):
                    seen.setdefault((str(mode), str(stage)), []).append(float(value))
        hist = HistogramMetricFamily(
            "stravasync_sync_stage_seconds",
            "Seconds per stage (listing, detail, store, stats; export runs: query, write, views)"
            " and mode, last 24 h",
            labels=["mode", "stage"],
        )
        for (mode, stage), values in sorted(seen.items()):
            buckets = [(str(b), float(sum(1 for x in values if x <= b))) for b in STAGE_BUCKETS]
            buckets.append(("+Inf", float(len(values))))
            hist.add_metric([mode, stage], buckets, sum_value=sum(values))
        return hist

    def _api_calls(self, conn: Connection, now: datetime) -> Metric:
        calls = conn.execute(
            select(func.coalesce(func.sum(sync_sessions.c.api_calls), 0)).where(
                sync_sessions.c.started_at >= now - timedelta(days=1)
            )
        ).scalar_one()
        gauge = GaugeMetricFamily(
            "stravasync_strava_api_calls_24h", "Strava API calls made by sync sessions, last 24 h"
        )
        gauge.add_metric([], float(calls))
        return gauge
