"""The sync modes as thin drivers around pure cursors: one page, one transaction, one checkpoint.

Each driver asks the pure cursor what to request, performs that one request, then in a single
transaction applies the page, advances the cursor and renews the lease. A crash between pages
loses nothing: the next claimant resumes from the stored cursor.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, select

from stravasync.clock import from_epoch, to_epoch
from stravasync.store.mirror import activities as acts
from stravasync.store.pending import syncstate
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import sync_state
from stravasync.strava.errors import Deferred, StravaError
from stravasync.strava.models import SummaryActivity
from stravasync.strava.pagination import BackwardCursor
from stravasync.strava.quota.ratelimit import Priority
from stravasync.sync import mirror
from stravasync.sync.context import PassContext
from stravasync.sync.enrich import run_enrich, settle_due
from stravasync.sync.gear import run_gear
from stravasync.sync.listing import ListingPass, newest_start, short_page_ends
from stravasync.sync.outcomes.result import PassResult
from stravasync.sync.planning.plan import Mode
from stravasync.sync.strava_count import count_due, count_wanted, goal, stored_count

log = logging.getLogger(__name__)

__all__ = [
    "MODE_PRIORITY",
    "PassResult",
    "run_backfill",
    "run_enrich",
    "run_listing",
    "run_mode",
    "start_listing",
]


def _newest_fields(newest: int | None) -> dict[str, Any]:
    if not newest:
        return {}
    return {"newest_start": newest, "last_activity_at": from_epoch(newest)}


def _raw(items: list[SummaryActivity]) -> list[dict[str, Any]]:
    return [dict(a.raw) for a in items]


def first_page_waiting(conn: Connection, *, exclude: int) -> bool:
    """Whether an athlete other than ``exclude`` still waits for their newest page and will be
    claimed for it: an unparked one, or one a person asked a sync for. Each is the first row
    of its own partial index (ordered by due time), so the answer is one probe, not a walk;
    ``exclude`` is left out of the first two rows here, not in SQL (an ``athlete_id`` condition
    made SQLite take the backfilling index and walk every backfilling athlete)."""
    waiting = [
        sync_state.c.due_at.is_not(None),  # a range on the index's column: SQLite then uses it
        sync_state.c.backfill_done.is_(False),
        sync_state.c.backfill_before.is_(None),
        sync_state.c.dead.is_(False),
    ]
    for where in (
        [*waiting, sync_state.c.parked.is_(False), syncstate.athlete_active(auto=True)],
        [*waiting, sync_state.c.requested_mode.is_not(None), syncstate.athlete_active(auto=False)],
    ):
        stmt = select(sync_state.c.athlete_id).where(*where).order_by(sync_state.c.due_at)
        if any(a != exclude for a in conn.execute(stmt.limit(2)).scalars()):
            return True
    return False


def _others_need_first_page(ctx: PassContext) -> bool:
    with ctx.db.engine.connect() as conn:
        return first_page_waiting(conn, exclude=ctx.athlete_id)


def _granted_read_all(ctx: PassContext) -> bool:
    """Whether the athlete granted ``activity:read_all`` (a short page then ends a listing)."""
    with ctx.db.engine.connect() as conn:
        athlete = athletes_q.get_athlete(conn, ctx.athlete_id) or {}
    return "activity:read_all" in str(athlete.get("scopes") or "").split(",")


# The newest page of an athlete who just connected: a person is waiting to see their activities
# appear, as soon as after a push. Spent at the webhook class (events are still claimed first):
# neither paced across the quarter hour nor held back by backfill's cushions; the rest of the
# history is backfill.
NEWEST_PAGE_PRIORITY = Priority.WEBHOOK


def run_backfill(ctx: PassContext, state: dict[str, Any]) -> PassResult:
    """Newest page first (at :data:`NEWEST_PAGE_PRIORITY`), then backward ``before`` pages to
    the beginning.

    With ``activity:read_all`` a short page is the end of the history (see
    :func:`stravasync.sync.listing.short_page_ends`); the reconcile that follows walks every
    page to the empty one and so proves nothing was missed.

    After a full first page, Strava's count of the athlete's activities is read once before the
    second page (:mod:`stravasync.sync.strava_count`): the progress goal, a lower bound; by
    default only while someone watches the run's progress (``sync_strava_count``).
    """
    result = PassResult(Mode.BACKFILL, complete=False)
    saved = state.get("checkpoint_json") or {}
    resumed = saved.get("mode") == "backfill"
    page = int(saved.get("page", 1)) if resumed else 1
    cursor = BackwardCursor(before=state.get("backfill_before"), page=page)
    newest = state.get("newest_start")
    short_ends = _granted_read_all(ctx)
    listed = int(saved.get("listed", 0)) if resumed else 0  # this backfill's, all its units
    wanted = resumed and bool(saved.get("count_due"))  # Strava's count, before the next page
    count = stored_count(state)
    for _ in range(ctx.cfg.page_slice):
        if result.pages:
            ctx.between_pages()
        first = cursor.before is None and cursor.page == 1
        if wanted and not first:
            wanted, count = _fetch_count(ctx, count)
        priority = NEWEST_PAGE_PRIORITY if first else Priority.BACKFILL
        items = ctx.port.list_page(ctx.token, priority=priority, **cursor.request())
        now = ctx.now()
        with ctx.db.transaction() as conn:
            result.add(mirror.apply_listing(conn, ctx.cfg, ctx.athlete_id, _raw(items), now))
            cursor = cursor.advance(items)
            if short_page_ends(items, short_ends):
                cursor = replace(cursor, done=True)
            newest = newest_start(items, newest)
            listed += len(items)
            if first and not cursor.done and count_wanted(ctx.cfg.strava_count, ctx.watched):
                wanted = count_due(len(items), state.get("strava_count_at"), now)
            values: dict[str, Any] = {
                "backfill_before": cursor.before,
                "backfill_done": cursor.done,
                "checkpoint_json": None
                if cursor.done
                else {
                    "mode": "backfill",
                    **cursor.to_json(),
                    "listed": listed,
                    "count_due": wanted,
                },
                **_newest_fields(newest),
            }
            if first:
                values["first_synced_at"] = now
                values["last_incremental_at"] = now
            ctx.checkpoint(conn, values)
            ctx.log(
                conn,
                f"backfill page: {len(items)} activities",
                page_items=len(items),
                before=cursor.before,
            )
        result.pages += 1
        result.listed += len(items)
        ctx.page_done("backfill", len(items), goal(listed, count))
        if cursor.done:
            result.complete = True
            break
        if first and _others_need_first_page(ctx):
            break
    return result


def _fetch_count(ctx: PassContext, count: int | None) -> tuple[bool, int | None]:
    """Strava's count of the athlete's activities, stored with its time, at the backfill's
    class: ``(still wanted, count)``. Any failure (403, 404, a missing scope, a bad answer)
    leaves the pass going without it; a budget refusal keeps it wanted for the next unit (the
    page after it is refused too, so the pass defers)."""
    try:
        fresh = ctx.port.activity_count(ctx.token, ctx.athlete_id, priority=Priority.BACKFILL)
    except Deferred:
        return True, count
    except StravaError as exc:
        log.info(
            "athlete stats unavailable (%s): backfill without a total",
            exc,
            extra={"athlete_id": ctx.athlete_id},
        )
        return False, count
    with ctx.db.transaction() as conn:
        ctx.checkpoint(conn, {"strava_count": fresh, "strava_count_at": ctx.now()})
        ctx.log(conn, f"Strava counts {fresh} rides, runs and swims", strava_count=fresh)
    return False, fresh


def start_listing(mode: Mode, ctx: PassContext, state: dict[str, Any]) -> ListingPass:
    """A new incremental / refresh / reconcile pass, or the one stored at a crash."""
    saved = state.get("checkpoint_json") or {}
    if saved.get("mode") == str(mode) and "cursor" in saved:
        return ListingPass.from_json(saved)
    now = to_epoch(ctx.now())
    if mode is Mode.INCREMENTAL:
        after = max(0, int(state.get("newest_start") or 0) - int(ctx.cfg.overlap))
        return ListingPass.start(after, now, sweep=False)
    if mode is Mode.REFRESH:
        return ListingPass.start(
            max(0, now - int(ctx.cfg.refresh_window)),
            now,
            sweep=True,
            short_page_ends=_granted_read_all(ctx),
        )
    return ListingPass.start(0, now, sweep=True)


_PRIORITY = {
    Mode.INCREMENTAL: Priority.INCREMENTAL,
    Mode.REFRESH: Priority.REFRESH,
    Mode.RECONCILE: Priority.RECONCILE,
}
MODE_PRIORITY: dict[Mode, Priority] = {
    Mode.INCREMENTAL: Priority.INCREMENTAL,
    Mode.REFRESH: Priority.REFRESH,
    Mode.BACKFILL: Priority.BACKFILL,
    Mode.ENRICH: Priority.ENRICH,
    Mode.RECONCILE: Priority.RECONCILE,
}
_LAST_COLUMN = {
    Mode.INCREMENTAL: "last_incremental_at",
    Mode.REFRESH: "last_refresh_at",
    Mode.RECONCILE: "last_reconcile_at",
}


def pass_priority(mode: Mode, state: dict[str, Any]) -> Priority:
    """The budget class of a pass's first request (and of a token refresh it needs first)."""
    if mode is Mode.BACKFILL and state.get("backfill_before") is None:
        return NEWEST_PAGE_PRIORITY
    if mode in _PRIORITY and state.get("requested_mode") == str(mode):
        # A person asked for this pass and is waiting for it (admin, CLI): interactive class.
        # Requested backfill and enrich keep their own class: they are big.
        return Priority.INTERACTIVE
    return MODE_PRIORITY[mode]


def run_listing(mode: Mode, ctx: PassContext, state: dict[str, Any]) -> PassResult:
    """Ascending ``after`` pages until an empty one; sweeps confirm what went missing."""
    result = PassResult(mode)
    cursor = start_listing(mode, ctx, state)
    priority = pass_priority(mode, state)
    old_newest = state.get("newest_start")
    while not cursor.done:
        if result.pages:
            ctx.between_pages()
        items = ctx.port.list_page(ctx.token, priority=priority, **cursor.cursor.request())
        now = ctx.now()
        with ctx.db.transaction() as conn:
            result.add(mirror.apply_listing(conn, ctx.cfg, ctx.athlete_id, _raw(items), now))
            cursor = cursor.advance(items)
            ctx.checkpoint(conn, {"checkpoint_json": {"mode": str(mode), **cursor.to_json()}})
            ctx.log(conn, f"{mode} page: {len(items)} activities", page_items=len(items))
        result.pages += 1
        ctx.page_done(str(mode), len(items))
        result.listed += len(items)
    if cursor.sweep:
        result.deleted += _confirm_missing(ctx, cursor, priority)
    settle = ctx.cfg.cadence.enrich and settle_due(ctx)  # a recent detail's re-fetch is due
    now = ctx.now()
    with ctx.db.transaction() as conn:
        values: dict[str, Any] = {
            _LAST_COLUMN[mode]: now,
            "checkpoint_json": None,
            **_newest_fields(max(cursor.newest or 0, old_newest or 0)),
        }
        newest_known = int(state.get("newest_start") or 0)
        if cursor.window_after <= max(0, newest_known - int(ctx.cfg.overlap)):
            # this listing covered everything an incremental pass would have asked for
            values["last_incremental_at"] = now
        if mode is Mode.RECONCILE:
            # a complete listing of the whole history is everything a backfill would fetch
            # (e.g. after an archive import): no separate backfill follows
            values["last_refresh_at"] = now
            if not state.get("backfill_done"):
                values.update(
                    backfill_done=True, first_synced_at=state.get("first_synced_at") or now
                )
        if settle:
            syncstate.mark_enrich_pending(conn, ctx.athlete_id, now)
        ctx.checkpoint(conn, values)
    return result


def _confirm_missing(ctx: PassContext, cursor: ListingPass, priority: Priority) -> int:
    """Rows the complete listing did not show: one GET each, tombstoned only on 404."""
    with ctx.db.engine.connect() as conn:
        missing = acts.unconfirmed_since(
            conn, ctx.athlete_id, from_epoch(cursor.started_at), after_ts=cursor.window_after
        )
    deleted = 0
    for act_id in missing:
        detail = ctx.port.detail(ctx.token, act_id, priority=priority)
        now = ctx.now()
        with ctx.db.transaction() as conn:
            if detail is None:
                deleted += len(mirror.apply_deletions(conn, ctx.cfg, ctx.athlete_id, [act_id], now))
            else:
                mirror.apply_listing(conn, ctx.cfg, ctx.athlete_id, [detail], now, from_detail=True)
                if acts.athlete_of(conn, act_id) is not None:  # the detail came with it: keep it
                    acts.store_detail(conn, act_id, detail, now)
            ctx.checkpoint(conn, {})
    return deleted


def run_mode(mode: Mode, ctx: PassContext, state: dict[str, Any]) -> PassResult:
    """The mode's pass, then the gear step (:mod:`stravasync.sync.gear`: usually no read)."""
    if mode is Mode.BACKFILL:
        result = run_backfill(ctx, state)
    elif mode is Mode.ENRICH:
        result = run_enrich(ctx, state)
    else:
        result = run_listing(mode, ctx, state)
    result.gear_reads = run_gear(ctx)
    return result
