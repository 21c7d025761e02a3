"""Processing the webhook inbox: each event is a hint, confirmed with Strava before it acts.

Strava's events are not signed and anyone who can reach the receiver can post one, so no event
changes the mirror by itself; what changes it is Strava's answer to the request the event
prompts (webhook class):

- activity create or update: an update of a held activity, or a lone event of a quiet
  athlete, is one GET of the activity; otherwise it is confirmed with the athlete's other
  pending creates and updates by one listing of their latest activities, applied like an
  incremental page (never the event's ``updates``), and an activity the listing did not show
  gets a GET when it is the athlete's only pending event and the allowance for unconfirmed
  reads lasts (:mod:`stravasync.sync.event_confirm`; limits and the worst case a flood of
  forged events can cost: :mod:`stravasync.sync.planning.event_reads`). A 404 means it is gone
  or not visible to our scopes: tombstoned, as in the refresh pass.
- activity delete: tombstoned only when GET answers 404; a live answer is applied instead. A
  delete for an activity this athlete does not hold costs nothing.
- athlete ``authorized: false``: one token refresh; only when Strava refuses the refresh token
  does the athlete become deauthorized (purge after the grace period). A refresh that works
  leaves the athlete as they were.

A GET answer for an activity of somebody else (a public activity named in a forged event) is
never stored under the event's athlete, and a 404 only tombstones the event athlete's own row.
Events are idempotent: reprocessing one converges on the same state.

Quota per event (beyond a token refresh any call may need): an update of a held activity or a
lone create or update: 1 read; creates and updates of one athlete in a burst: 1 listing for
all that arrived within ``listing_interval`` s, plus 1 read when the listing did not show the
only one (within the allowance); delete of a held activity: 1 read; delete of an activity not
held: 0; deauthorization: 1 ``POST /oauth/token`` (counted only where Strava counts token
requests).
"""

from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta
from typing import Any

from stravasync.store.mirror import activities as acts
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import sync_state
from stravasync.sync import event_confirm, mirror
from stravasync.sync.context import PassContext
from stravasync.sync.event_confirm import belongs_to

__all__ = ["EventAction", "belongs_to", "deauthorize", "decide", "process"]

log = logging.getLogger(__name__)


class EventAction(enum.StrEnum):
    FETCH = "fetch"
    CONFIRM_DEAUTHORIZATION = "confirm_deauthorization"
    DEAUTHORIZE = "deauthorize"
    IGNORE = "ignore"


def decide(event: dict[str, Any], *, held: bool) -> EventAction:
    """What an inbox event asks us to check with Strava. Pure; ``held``: the event's athlete
    has this activity in the mirror (live or tombstoned)."""
    updates = event.get("updates_json") or {}
    if event["object_type"] == "athlete":
        if event["aspect_type"] == "update" and str(updates.get("authorized")).lower() == "false":
            return EventAction.CONFIRM_DEAUTHORIZATION
        return EventAction.IGNORE
    aspect = event["aspect_type"]
    if aspect == "delete" and not held:
        return EventAction.IGNORE
    if aspect in ("create", "update", "delete"):
        return EventAction.FETCH
    return EventAction.IGNORE


def process(
    ctx: PassContext, event: dict[str, Any], *, active: bool, fetch: bool = True
) -> EventAction:
    """Carry out one event for an athlete we know; what was done (IGNORE: nothing changed).

    ``fetch=False`` (the athlete opted out of automatic sync): creates and updates are ignored
    (the next sync they or an operator ask for picks them up); deletions and deauthorizations
    are still confirmed with Strava and applied, as Strava's terms want them reflected."""
    act_id = int(event["object_id"])
    with ctx.db.engine.connect() as conn:
        held = acts.athlete_of(conn, act_id) == ctx.athlete_id
        athlete = athletes_q.get_athlete(conn, ctx.athlete_id)
    action = decide(event, held=held)
    if action is EventAction.CONFIRM_DEAUTHORIZATION:
        if athlete is None or athlete["status"] == "deauthorized":
            return EventAction.IGNORE
        if not ctx.tokens.confirm_revoked(ctx.athlete_id):
            log.warning(
                "deauthorization event not confirmed: Strava still accepts the athlete's token",
                extra={"athlete_id": ctx.athlete_id},
            )
            return EventAction.IGNORE
        deauthorize(ctx, ctx.now())
        return EventAction.DEAUTHORIZE
    if not active or action is EventAction.IGNORE:
        return EventAction.IGNORE
    if not fetch and event["aspect_type"] != "delete":
        return EventAction.IGNORE
    if not ctx.token:
        ctx.token = ctx.tokens.access_token(ctx.athlete_id, ctx.now(), priority=ctx.priority)
    if event["aspect_type"] == "delete":
        done = event_confirm.confirm_delete(ctx, event)
    else:
        done = event_confirm.confirm(ctx, event, held=held)
    return EventAction.FETCH if done else EventAction.IGNORE


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
        "athlete deauthorized (confirmed with Strava); data purge at %s",
        purge_at.isoformat(),
        extra={"athlete_id": ctx.athlete_id},
    )
