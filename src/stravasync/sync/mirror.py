"""Writing what Strava said into the mirror: filters, tombstones, outbox rows, stats refresh.

Every function runs inside the caller's transaction, so the change, its notification and its
checkpoint commit together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from stravasync.store.mirror import activities as acts
from stravasync.store.mirror.summaries import summary_of
from stravasync.store.pending import outbox, syncstate
from stravasync.store.people import athletes as athletes_q
from stravasync.sync.config import EngineConfig

log = logging.getLogger(__name__)


def _notify(
    conn: Connection,
    cfg: EngineConfig,
    event: str,
    athlete_id: int,
    activity_id: int | None,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    if cfg.notify:
        outbox.enqueue(
            conn,
            event=event,
            athlete_id=athlete_id,
            activity_id=activity_id,
            payload=payload,
            now=now,
        )


def apply_listing(
    conn: Connection,
    cfg: EngineConfig,
    athlete_id: int,
    raws: Iterable[Mapping[str, Any]],
    now: datetime,
    *,
    from_detail: bool = False,
) -> acts.ApplyResult:
    """Apply summaries from a listing or a detail fetch (filtered), with notifications.

    New activities from a listing mark the athlete for enrichment, as do stored details the
    listing made stale (:mod:`stravasync.store.mirror.detail_freshness`); a detail fetch
    already is one.
    """
    keep: list[Mapping[str, Any]] = []
    dropped: list[int] = []
    for raw in raws:
        if cfg.filter.matches(summary_of(raw)):
            keep.append(raw)
        elif isinstance(raw.get("id"), int):
            dropped.append(int(raw["id"]))
    result = acts.apply_summaries(conn, athlete_id, keep, now)
    if dropped:
        removed = acts.remove(conn, dropped, now=now)
        if removed:
            log.info(
                "removed %s activities that no longer match the filter",
                removed,
                extra={"athlete_id": athlete_id},
            )
    for act_id in result.created + result.revived:
        _notify(conn, cfg, "activity.created", athlete_id, act_id, {"activity_id": act_id}, now)
    for act_id in result.updated:
        _notify(conn, cfg, "activity.updated", athlete_id, act_id, {"activity_id": act_id}, now)
    news = result.created or result.revived or result.detail_stale
    # an activity that came with its detail (a webhook's fetch) still lacks its streams
    # (under ``auto`` too: the engine resolves it for the enrich pass, events see it unresolved)
    wanted = cfg.enrich_streams or cfg.streams_mode == "auto"
    needs_streams = wanted and (result.created or result.revived)
    if cfg.cadence.enrich and (news if not from_detail else needs_streams):
        syncstate.mark_enrich_pending(conn, athlete_id, now)
    return result


def apply_deletions(
    conn: Connection, cfg: EngineConfig, athlete_id: int, ids: Iterable[int], now: datetime
) -> list[int]:
    gone = acts.tombstone(conn, ids, now)
    for act_id in gone:
        _notify(conn, cfg, "activity.deleted", athlete_id, act_id, {"activity_id": act_id}, now)
    return gone


def athlete_status_changed(
    conn: Connection,
    cfg: EngineConfig,
    athlete_id: int,
    event: str,
    now: datetime,
    reason: str,
) -> None:
    _notify(conn, cfg, event, athlete_id, None, {"athlete_id": athlete_id, "reason": reason}, now)


def mark_reconnect_needed(
    conn: Connection, cfg: EngineConfig, athlete_id: int, now: datetime, reason: str
) -> None:
    """The athlete must connect again: status and notification, once.

    The token manager may have marked (and notified) it already, in the transaction where
    Strava rejected the refresh token; then nothing more is written.
    """
    row = athletes_q.get_athlete(conn, athlete_id)
    if row is None or row["status"] == "reconnect_needed":
        return
    athletes_q.set_status(conn, athlete_id, "reconnect_needed", reason=reason, now=now)
    athlete_status_changed(conn, cfg, athlete_id, "athlete.reconnect_needed", now, reason)


def refresh_stats(
    conn: Connection, athlete_id: int, now: datetime, cfg: EngineConfig | None = None
) -> None:
    """Recompute the athlete's stats after a change (live count, Eddington, rollups); with milestone
    notifications on, queue each milestone reached (once: a stable idempotency key)."""
    from stravasync.stats.refresh import refresh_athlete_stats

    syncstate.set_activity_count(conn, athlete_id, acts.count_live(conn, athlete_id))
    changed = refresh_athlete_stats(conn, athlete_id, now)
    if changed and cfg is not None and cfg.notify and cfg.notify_milestones:
        from stravasync.stats.milestones import milestones
        from stravasync.stats.service import athlete_stats

        stats = athlete_stats(conn, athlete_id)
        for m in milestones(athlete_id, stats, year=now.year, step_km=cfg.milestone_step_km):
            outbox.enqueue_once(
                conn,
                key=m.key,
                event="athlete.milestone",
                athlete_id=athlete_id,
                payload=m.payload,
                now=now,
            )
