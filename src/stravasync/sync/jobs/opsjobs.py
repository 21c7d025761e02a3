"""The operator's periodic checks: alerts through Apprise and the health summary line.

- ``alerts`` (every ``STRAVASYNC_ALERT_CHECK_SECONDS``, only with ``STRAVASYNC_ALERT_URLS``):
  gathers the facts (:func:`gather`), lets :func:`stravasync.alerts.decide` choose what to
  send, sends it, and stores what was sent in ``app_settings`` (``ALERTS_KEY``), so a restart
  or another worker repeats nothing. An alert whose delivery failed is tried at the next check.
- ``health_summary`` (every ``STRAVASYNC_HEALTH_SUMMARY_SECONDS``): one log line (seed 000's
  hourly health job).
- ``copies_prune`` (made due by every purge or activity deletion, see
  :mod:`stravasync.store.mirror.removals`, and every ``STRAVASYNC_COPIES_PRUNE_SECONDS`` besides): a
  warehouse that predates a removal is refreshed, so the removal reaches it at the engine's
  next step, at the latest within that interval (plus the refresh's own time).

Both are rows of ``scheduler_jobs`` run by :mod:`stravasync.sync.jobs.periodic` (one process at a
time under its lease); their interval comes from the settings (0 or no URL: the job is off).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from stravasync.alerts import Facts, Policy, Sender, decide, summary_line
from stravasync.alerts.rules import remember
from stravasync.store.mirror import removals
from stravasync.store.operator import admin as admin_q
from stravasync.store.operator import appstate as appstate_q
from stravasync.store.operator import opsfacts
from stravasync.sync.config import EngineConfig
from stravasync.sync.jobs import clockjobs
from stravasync.sync.jobs.clockjobs import stale_athletes
from stravasync.sync.settings import WEBHOOK_SUBSCRIPTION_KEY

if TYPE_CHECKING:
    from stravasync.sync.engine import Engine

log = logging.getLogger(__name__)

ALERTS_KEY = "alerts_sent"
"""The ``app_settings`` row holding what each alert last sent (no athlete id, no URL)."""


def data_folder(engine: Engine) -> Path:
    """Where the service writes: the SQLite file's folder, else the warehouse's."""
    url = engine.db.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).expanduser().resolve().parent
    return Path(engine.cfg.warehouse).expanduser().resolve().parent


def _free_mb(folder: Path) -> float | None:
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free / (1024 * 1024)
    return None


def _webhook_problem(engine: Engine, conn: Connection, now: datetime) -> str | None:
    subscription = admin_q.get_setting(conn, WEBHOOK_SUBSCRIPTION_KEY)
    if subscription is None:
        if engine.cfg.webhooks_expected:
            return (
                "no Strava push subscription is stored while STRAVASYNC_SYNC_WEBHOOKS=on: new "
                "activities wait for polling (stravasync webhooks subscribe)"
            )
        return None
    silence = engine.cfg.alert_webhook_silence
    last = opsfacts.last_webhook_event(conn)
    if silence <= 0 or last is None:
        return None
    missed = opsfacts.new_activities(
        conn, started_after=last, seen_after=last + timedelta(seconds=silence)
    )
    if missed:
        return (
            f"{missed} new activities were mirrored by polling more than "
            f"{silence / 3600:g} h after the last webhook event: Strava may no longer reach "
            "the callback (check the subscription and the public URL)"
        )
    return None


def gather(engine: Engine, now: datetime) -> tuple[Facts, dict[str, int], int]:
    """The facts the alerts and the summary are decided on, read in one snapshot."""
    with engine.db.snapshot() as conn:
        app = appstate_q.get(conn)
        facts = Facts(
            now=now,
            app_suspended=f"{app.condition}: {app.reason}" if app is not None else None,
            dead_letters=opsfacts.dead_letters(conn),
            webhook_problem=_webhook_problem(engine, conn, now),
            disk_free_mb=_free_mb(data_folder(engine)),
            stale_athletes=len(stale_athletes(conn, now=now, days=engine.cfg.stale_days)),
            stale_days=engine.cfg.stale_days,
        )
        people = opsfacts.athletes_by_status(conn)
        synced = opsfacts.synced_since(conn, now - timedelta(hours=24))
    return facts, people, synced


def check_alerts(engine: Engine, now: datetime) -> str:
    facts, _, _ = gather(engine, now)
    policy = Policy(
        repeat=timedelta(seconds=engine.cfg.alert_repeat),
        disk_min_free_mb=engine.cfg.alert_disk_min_free_mb,
    )
    with engine.db.snapshot() as conn:
        memory = admin_q.get_setting(conn, ALERTS_KEY) or {}
    alerts, decided = decide(facts, dict(memory), policy)
    failed: set[str] = set()
    if alerts:
        sender = Sender(engine.cfg.alert_urls)
        for alert in alerts:
            if sender.send(alert):
                log.warning("alert sent: %s (%s)", alert.title, alert.key)
            else:
                failed.add(alert.key)
    kept = remember(memory, decided, failed)
    if kept != memory:
        with engine.db.transaction() as conn:
            admin_q.put_setting(conn, ALERTS_KEY, kept, now=now)
    sent = len(alerts) - len(failed)
    held = sum(1 for v in kept.values() if v.get("active"))
    return f"{sent} alerts sent, {len(failed)} failed, {held} conditions holding"


def health_summary(engine: Engine, now: datetime) -> str:
    facts, people, synced = gather(engine, now)
    line = summary_line(facts, athletes=people, synced_24h=synced)
    log.info("%s", line)
    return line


def prune_copies(engine: Engine, now: datetime) -> str:
    """Refresh the warehouse when it predates a purge or deletion (its sweep drops what the
    store no longer holds); a warehouse in step, or none at all, is left alone."""
    from stravasync.export.warehouse import removals_seen

    path = Path(engine.cfg.warehouse)
    if not path.exists():
        return "no warehouse"
    with engine.db.snapshot() as conn:
        pending = removals.current(conn)
    seen = removals_seen(path) or 0
    if seen >= pending:
        return "warehouse in step with the mirror's removals"
    refreshed = clockjobs.warehouse_refresh(engine, now)
    log.info("warehouse followed %d removal(s): %s", pending - seen, refreshed)
    return f"{pending - seen} removal(s) followed: {refreshed}"


def _alerts_every(cfg: EngineConfig) -> float:
    return cfg.alert_check if cfg.alert_urls else 0.0


def _summary_every(cfg: EngineConfig) -> float:
    return cfg.health_summary_every


def _prune_every(cfg: EngineConfig) -> float:
    return cfg.copies_prune_every


OPS_JOBS: dict[str, tuple[Callable[[EngineConfig], float], Callable[[Engine, datetime], str]]] = {
    "alerts": (_alerts_every, check_alerts),
    "health_summary": (_summary_every, health_summary),
    "copies_prune": (_prune_every, prune_copies),
}


def intervals(cfg: EngineConfig) -> dict[str, float]:
    """The enabled operator jobs and their interval in seconds."""
    out = {name: every(cfg) for name, (every, _) in OPS_JOBS.items()}
    return {name: s for name, s in out.items() if s > 0}
