"""Processing the webhook inbox: each event becomes the smallest correct change to the mirror.

- activity create, or an update of type/privacy: fetch that activity (one GET, webhook class)
  and apply it; a 404 means it is gone or not visible to our scopes, so it is tombstoned.
- an update of the title only: applied straight from the event (no request). Strava sends no
  event for silent edits, so there is nothing else a fetch would reliably add here; the refresh
  pass re-lists the athlete's recent window anyway.
- activity delete: tombstone. athlete deauthorization: stop syncing, mark the athlete, and
  schedule the purge of their data after the grace period.
Events are idempotent: reprocessing one converges on the same state.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from stravasync.store import activities as acts
from stravasync.store import athletes as athletes_q
from stravasync.store import jobs as jobs_q
from stravasync.store.schema import sync_state
from stravasync.strava.ratelimit import Priority
from stravasync.sync import mirror
from stravasync.sync.context import PassContext

log = logging.getLogger(__name__)


class EventAction(enum.StrEnum):
    FETCH = "fetch"
    APPLY_FIELDS = "apply_fields"
    TOMBSTONE = "tombstone"
    DEAUTHORIZE = "deauthorize"
    IGNORE = "ignore"


@dataclass(frozen=True, slots=True)
class EventDecision:
    action: EventAction
    fields: dict[str, Any]


def decide(event: dict[str, Any], *, stored: bool) -> EventDecision:
    """What an inbox event asks for. Pure; ``stored``: the activity is in the mirror."""
    updates = event.get("updates_json") or {}
    if event["object_type"] == "athlete":
        if event["aspect_type"] == "update" and str(updates.get("authorized")).lower() == "false":
            return EventDecision(EventAction.DEAUTHORIZE, {})
        return EventDecision(EventAction.IGNORE, {})
    aspect = event["aspect_type"]
    if aspect == "delete":
        return EventDecision(EventAction.TOMBSTONE, {})
    if aspect == "update" and stored and set(updates) == {"title"}:
        return EventDecision(EventAction.APPLY_FIELDS, {"name": str(updates["title"])})
    if aspect in ("create", "update"):
        return EventDecision(EventAction.FETCH, {})
    return EventDecision(EventAction.IGNORE, {})


def process(
    ctx: PassContext, event: dict[str, Any], *, active: bool, fetch: bool = True
) -> EventAction:
    """Carry out one event for an athlete we know; ``ctx.token`` is set for FETCH.

    ``fetch=False`` (the athlete opted out of automatic sync): changes that cost no request
    (deletions, title edits, deauthorization) are applied; a create or update that needs a
    fetch is ignored, and the next sync they or an operator ask for picks it up."""
    act_id = int(event["object_id"])
    with ctx.db.engine.connect() as conn:
        stored = acts.athlete_of(conn, act_id) is not None
    decision = decide(event, stored=stored)
    if decision.action is EventAction.DEAUTHORIZE:
        deauthorize(ctx, ctx.now())
        return decision.action
    if not active or (decision.action is EventAction.FETCH and not fetch):
        return EventAction.IGNORE
    if decision.action is EventAction.FETCH:
        detail = ctx.port.detail(ctx.token, act_id, priority=Priority.WEBHOOK)
        now = ctx.now()
        with ctx.db.transaction() as conn:
            if detail is None:
                mirror.apply_deletions(conn, ctx.cfg, ctx.athlete_id, [act_id], now)
            else:
                applied = mirror.apply_listing(
                    conn, ctx.cfg, ctx.athlete_id, [detail], now, from_detail=True
                )
                if acts.athlete_of(conn, act_id) is not None:
                    acts.store_detail(conn, act_id, detail, now)
                if applied.changed:
                    mirror.refresh_stats(conn, ctx.athlete_id, now)
    elif decision.action is EventAction.APPLY_FIELDS:
        with ctx.db.transaction() as conn:
            mirror.apply_event_fields(
                conn, ctx.cfg, ctx.athlete_id, act_id, decision.fields, ctx.now()
            )
    elif decision.action is EventAction.TOMBSTONE:
        now = ctx.now()
        with ctx.db.transaction() as conn:
            if mirror.apply_deletions(conn, ctx.cfg, ctx.athlete_id, [act_id], now):
                mirror.refresh_stats(conn, ctx.athlete_id, now)
    return decision.action


def deauthorize(ctx: PassContext, now: datetime) -> None:
    """Stop syncing the athlete, mark them, schedule the purge of their data after the grace."""
    purge_at = now + timedelta(seconds=ctx.cfg.purge_grace)
    with ctx.db.transaction() as conn:
        athletes_q.set_status(
            conn, ctx.athlete_id, "deauthorized", reason="revoked on Strava", now=now
        )
        athletes_q.set_purge_after(conn, ctx.athlete_id, purge_at, now=now)
        conn.execute(
            sync_state.update()
            .where(sync_state.c.athlete_id == ctx.athlete_id)
            .values(requested_mode=None, checkpoint_json=None, updated_at=now)
        )
        jobs_q.enqueue(
            conn,
            kind="purge",
            athlete_id=ctx.athlete_id,
            dedupe_key=f"purge:{ctx.athlete_id}:{int(purge_at.timestamp())}",
            due_at=purge_at,
            now=now,
        )
        mirror.athlete_status_changed(
            conn, ctx.cfg, ctx.athlete_id, "athlete.deauthorized", now, "revoked on Strava"
        )
    log.info(
        "athlete deauthorized; data purge at %s",
        purge_at.isoformat(),
        extra={"athlete_id": ctx.athlete_id},
    )
