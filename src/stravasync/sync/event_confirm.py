"""Confirming activity events with Strava at a cost a flood cannot inflate.

An update of an activity the athlete holds (an edit, what a real athlete's events mostly are)
and a lone create or update of a quiet athlete (no other pending, no read that confirmed nothing
this quarter hour) are one GET of the activity, whose DetailedActivity is stored, as it always
was, within the athlete's allowance of single reads: a real edit does not queue behind a flood
of forged creates. Otherwise the athlete's creates and updates are confirmed together: one
listing of their latest activities (``GET /athlete/activities``, the newest
:data:`LISTING_SIZE`) answers for every pending create and update of the athlete that arrived
before it: those naming an activity it shows are done (the listing was applied to the mirror
like an incremental page). An event it did not show gets a single GET only when it is the
athlete's only pending one (a late upload with an old start date, an edit of an older activity),
no single read of the athlete confirmed nothing this quarter hour and the allowance lasts;
otherwise (a flood), the athlete's events the listing answered for are ignored together, without
their bodies (the refresh pass re-lists recent weeks, the reconcile the rest). A delete of a
held activity is one GET, deferred (not dropped) while the allowance is spent: a real deletion
must be applied.

Listings wait ``listing_interval`` s after the athlete's last one; events arriving meanwhile
wait for the next together. The allowances, the clean and suspect pools (a flood's reads are
not counted against the athletes it did not touch) and the worst case they give are in
:mod:`stravasync.sync.planning.event_reads`; each read is recorded on the event that spent it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from stravasync.store.mirror import activities as acts
from stravasync.store.pending import event_reads as reads_q
from stravasync.strava.errors import Deferred
from stravasync.strava.quota.ratelimit import Priority
from stravasync.strava.quota.windows import Window, window_start
from stravasync.sync import mirror
from stravasync.sync.context import PassContext
from stravasync.sync.planning.event_reads import Spent, covered, may_read, quiet, worth_a_get

log = logging.getLogger(__name__)

LISTING_SIZE = 30  # Strava's own page default; one read whatever the size
UNCONFIRMED = "not shown by the athlete's latest activities; no read left to confirm it"
LIMIT_CLASS = "webhook:unconfirmed"


def _spent(ctx: PassContext, now: datetime) -> Spent:
    with ctx.db.engine.connect() as conn:
        row = reads_q.spent(
            conn,
            ctx.athlete_id,
            quarter_start=window_start(Window.QUARTER, now),
            day_start=window_start(Window.DAY, now),
        )
    return Spent(**row)


def _defer(ctx: PassContext, event_id: int, until: datetime, *, siblings: bool) -> None:
    """Wait until ``until`` (with the athlete's other pending creates and updates)."""
    reason = f"{reads_q.WAITING} {until.isoformat()}"
    if siblings:
        with ctx.db.transaction() as conn:
            reads_q.defer_owner(conn, ctx.athlete_id, until=until, but=event_id, reason=reason)
    raise Deferred(until, LIMIT_CLASS, reason)


def confirm(ctx: PassContext, event: dict[str, Any], *, held: bool = False) -> bool:
    """Confirm one create or update (and its athlete's others); False: nothing was done.

    ``held``: the athlete holds the activity (an update of it is an edit Strava would send)."""
    limits = ctx.cfg.event_reads
    event_id, act_id = int(event["id"]), int(event["object_id"])
    now = ctx.now()
    spent = _spent(ctx, now)
    single = may_read(limits, spent, now, listing=False) is None
    if single and held and event["aspect_type"] == "update":
        return _fetch_counted(ctx, event_id, act_id)  # an edit: its own GET, not the queue
    if not covered(event["received_at"], spent.last_listing):
        if single and quiet(spent, siblings=_siblings(ctx, event_id)):
            return _fetch_counted(ctx, event_id, act_id)
        wait = may_read(limits, spent, now, listing=True)
        if wait is not None:
            _defer(ctx, event_id, wait, siblings=True)
        if act_id in _list(ctx, event_id):
            return True
        spent = _spent(ctx, ctx.now())
    now = ctx.now()
    if not worth_a_get(limits, spent, now, siblings=_siblings(ctx, event_id)):
        assert spent.last_listing is not None  # covered, or listed just now
        with ctx.db.transaction() as conn:
            dropped = reads_q.ignore_covered(
                conn,
                ctx.athlete_id,
                listed_at=spent.last_listing,
                but=event_id,
                now=now,
                reason=UNCONFIRMED,
            )
        log.info(
            "%d webhook events not confirmed by the athlete's latest activities ignored",
            dropped + 1,
            extra={"athlete_id": ctx.athlete_id},
        )
        return False
    return _fetch_counted(ctx, event_id, act_id)


def _siblings(ctx: PassContext, event_id: int) -> bool:
    with ctx.db.engine.connect() as conn:
        return reads_q.has_siblings(conn, ctx.athlete_id, but=event_id)


def confirm_delete(ctx: PassContext, event: dict[str, Any]) -> bool:
    """One GET for a delete of a held activity, deferred while the allowance is spent."""
    event_id = int(event["id"])
    now = ctx.now()
    wait = may_read(ctx.cfg.event_reads, _spent(ctx, now), now, listing=False)
    if wait is not None:
        _defer(ctx, event_id, wait, siblings=False)
    return _fetch_counted(ctx, event_id, int(event["object_id"]))


def _list(ctx: PassContext, event_id: int) -> set[int]:
    """List the athlete's latest activities, apply them, settle the events they answer."""
    started = ctx.now()
    items = ctx.port.list_page(ctx.token, priority=Priority.WEBHOOK, per_page=LISTING_SIZE)
    raws = [dict(a.raw) for a in items]
    shown = {int(r["id"]) for r in raws if isinstance(r.get("id"), int)}
    now = ctx.now()
    with ctx.db.transaction() as conn:
        applied = mirror.apply_listing(conn, ctx.cfg, ctx.athlete_id, raws, now)
        if applied.changed:
            mirror.refresh_stats(conn, ctx.athlete_id, now)
        settled = reads_q.settle_listed(conn, ctx.athlete_id, shown, but=event_id, now=started)
        reads_q.record(conn, event_id, now=started, listed=True, unconfirmed=not applied.changed)
    log.info(
        "latest activities listed for webhook events: %d changed, %d more events answered",
        len(applied.created) + len(applied.revived) + len(applied.updated),
        settled,
        extra={"athlete_id": ctx.athlete_id},
    )
    return shown


def _fetch_counted(ctx: PassContext, event_id: int, act_id: int) -> bool:
    acted, changed = fetch(ctx, act_id)
    with ctx.db.transaction() as conn:
        reads_q.record(conn, event_id, now=ctx.now(), unconfirmed=not changed)
    return acted


def fetch(ctx: PassContext, act_id: int) -> tuple[bool, bool]:
    """GET one activity and apply Strava's answer: (anything done, the mirror changed)."""
    detail = ctx.port.detail(ctx.token, act_id, priority=Priority.WEBHOOK)
    now = ctx.now()
    with ctx.db.transaction() as conn:
        if detail is None:
            if acts.athlete_of(conn, act_id) != ctx.athlete_id:
                return False, False
            deleted = bool(mirror.apply_deletions(conn, ctx.cfg, ctx.athlete_id, [act_id], now))
            if deleted:
                mirror.refresh_stats(conn, ctx.athlete_id, now)
            return True, deleted
        if not belongs_to(detail, ctx.athlete_id):
            log.warning(
                "webhook event named an activity of another athlete: not stored",
                extra={"athlete_id": ctx.athlete_id},
            )
            return False, False
        applied = mirror.apply_listing(
            conn, ctx.cfg, ctx.athlete_id, [detail], now, from_detail=True
        )
        if acts.athlete_of(conn, act_id) is not None:
            acts.store_detail(conn, act_id, detail, now)
        if applied.changed:
            mirror.refresh_stats(conn, ctx.athlete_id, now)
    return True, bool(applied.changed)


def belongs_to(detail: dict[str, Any], athlete_id: int) -> bool:
    """Strava's answer names the athlete the event named (not a public activity of another)."""
    owner = detail.get("athlete")
    return isinstance(owner, dict) and owner.get("id") == athlete_id
