"""The planner: which sync mode an athlete needs now, and when to look at them next. Pure.

Defaults and their reasoning (every number is a setting, see :class:`Cadence`):

- Without webhooks, polling is the only way to learn of new activities, so the seed documents'
  thresholds apply: never skip a never-synced athlete; skip anyone synced < 1 h ago; an athlete
  active in the last 7 days is re-listed after 2 h, a dormant one after 4 h, everyone by 6 h.
- With webhooks, Strava pushes creates, deletes and title/type/privacy edits, so polling is a
  safety net for lost events and for silent edits (description, gear, crop, workout_type). One
  recent-window listing ("refresh", 1 request for up to 200 activities) then replaces the
  incremental poll; its cadence decays with how recently the athlete was active.
- A full-history reconcile (1 request per 200 activities) catches what a lost event hid outside
  the window; it is rare and staggered per athlete so it never arrives as a burst.
"""

from __future__ import annotations

import enum
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


class Mode(enum.StrEnum):
    BACKFILL = "backfill"
    INCREMENTAL = "incremental"
    REFRESH = "refresh"
    ENRICH = "enrich"
    RECONCILE = "reconcile"


@dataclass(frozen=True, slots=True)
class Cadence:
    """Planner settings. All durations in seconds."""

    webhooks: bool = True
    skip_recent: float = 3600
    active_every: float = 2 * 3600
    inactive_every: float = 4 * 3600
    always_every: float = 6 * 3600
    active_days: float = 7
    refresh_hot_every: float = 12 * 3600  # an activity in the last ``hot_hours``
    hot_hours: float = 48
    refresh_active_every: float = 12 * 3600
    refresh_inactive_every: float = 48 * 3600
    refresh_without_webhooks_every: float = 24 * 3600
    reconcile_every: float = 3 * 86400
    enrich: bool = True


@dataclass(frozen=True, slots=True)
class AthleteView:
    """What the planner knows of one athlete (from athletes + sync_state)."""

    athlete_id: int
    backfill_done: bool
    has_first_page: bool
    requested_mode: str | None
    enrich_pending: bool
    last_incremental_at: datetime | None
    last_refresh_at: datetime | None
    last_reconcile_at: datetime | None
    last_activity_at: datetime | None
    first_synced_at: datetime | None


def is_active(view: AthleteView, now: datetime, cadence: Cadence) -> bool:
    last = view.last_activity_at
    return last is not None and now - last <= timedelta(days=cadence.active_days)


def _stagger(athlete_id: int, period: float) -> timedelta:
    """A stable per-athlete offset in [0, period) so periodic work does not arrive in bursts."""
    return timedelta(seconds=(zlib.crc32(str(athlete_id).encode()) % 10_000) / 10_000 * period)


def incremental_due(view: AthleteView, now: datetime, cadence: Cadence) -> datetime | None:
    if cadence.webhooks:
        return None
    last = view.last_incremental_at
    if last is None:
        return now
    every = cadence.active_every if is_active(view, now, cadence) else cadence.inactive_every
    every = max(cadence.skip_recent, min(every, cadence.always_every))
    return last + timedelta(seconds=every)


def is_hot(view: AthleteView, now: datetime, cadence: Cadence) -> bool:
    """An activity started in the last ``hot_hours``: silent edits are most likely now."""
    last = view.last_activity_at
    return last is not None and now - last <= timedelta(hours=cadence.hot_hours)


def refresh_due(view: AthleteView, now: datetime, cadence: Cadence) -> datetime:
    if not cadence.webhooks:
        every = cadence.refresh_without_webhooks_every
    elif is_hot(view, now, cadence):
        every = cadence.refresh_hot_every
    elif is_active(view, now, cadence):
        every = cadence.refresh_active_every
    else:
        every = cadence.refresh_inactive_every
    base = view.last_refresh_at or view.first_synced_at or now
    if view.last_refresh_at is None:
        return base + _stagger(view.athlete_id, every)
    return base + timedelta(seconds=every)


def reconcile_due(view: AthleteView, now: datetime, cadence: Cadence) -> datetime:
    base = view.last_reconcile_at or view.first_synced_at or now
    if view.last_reconcile_at is None:
        return (
            base
            + timedelta(seconds=cadence.reconcile_every)
            + _stagger(view.athlete_id, cadence.reconcile_every)
        )
    return base + timedelta(seconds=cadence.reconcile_every)


def due_modes(view: AthleteView, now: datetime, cadence: Cadence) -> dict[Mode, datetime]:
    """When each mode next falls due for this athlete (absent: not needed)."""
    if not view.backfill_done:
        return {Mode.BACKFILL: now}
    due: dict[Mode, datetime] = {
        Mode.REFRESH: refresh_due(view, now, cadence),
        Mode.RECONCILE: reconcile_due(view, now, cadence),
    }
    inc = incremental_due(view, now, cadence)
    if inc is not None:
        due[Mode.INCREMENTAL] = inc
    if cadence.enrich and view.enrich_pending:
        due[Mode.ENRICH] = now
    return due


# The order modes are chosen in when several are due (DESIGN principle 5's classes).
MODE_ORDER = (Mode.BACKFILL, Mode.INCREMENTAL, Mode.REFRESH, Mode.ENRICH, Mode.RECONCILE)


def pick_mode(view: AthleteView, now: datetime, cadence: Cadence) -> Mode | None:
    """The mode to run now: a requested one first, else the highest class that is due."""
    if view.requested_mode:
        try:
            return Mode(view.requested_mode)
        except ValueError:
            pass
    due = due_modes(view, now, cadence)
    for mode in MODE_ORDER:
        when = due.get(mode)
        if when is not None and when <= now:
            return mode
    return None


def upcoming_mode(view: AthleteView, now: datetime, cadence: Cadence) -> Mode | None:
    """The mode that falls due first (what the athlete will need at ``next_due``)."""
    due = due_modes(view, now, cadence)
    if not due:
        return None
    return min(due, key=lambda m: (due[m], MODE_ORDER.index(m)))


def next_due(view: AthleteView, now: datetime, cadence: Cadence) -> datetime:
    """When the athlete should next be looked at (the earliest due mode)."""
    due = due_modes(view, now, cadence)
    return min(due.values()) if due else now + timedelta(seconds=cadence.always_every)


# A recent-window listing: one page (a short page ends it when the athlete granted read_all,
# see sync.listing), and usually the token refresh it needs first (tokens live 6 h, refreshes
# come 12 h or more apart; Strava may count POST /oauth/token as a read).
REFRESH_CALLS = 2


def fit_to_budget(
    cadence: Cadence, *, athletes: int, read_daily: int, share: float = 0.5
) -> Cadence:
    """Stretch the refresh cadence so the safety net spends at most ``share`` of the daily reads.

    With 200 athletes on the default quota (1,000 reads a day) a 12-hour refresh would cost
    800 reads a day and starve backfills and webhooks; fitted, it becomes about 19 hours.
    """
    if athletes <= 0 or read_daily <= 0:
        return cadence
    floor = athletes * REFRESH_CALLS * 86400 / (read_daily * share)
    return replace(
        cadence,
        refresh_hot_every=max(cadence.refresh_hot_every, floor),
        refresh_active_every=max(cadence.refresh_active_every, floor),
        refresh_inactive_every=max(cadence.refresh_inactive_every, floor),
        refresh_without_webhooks_every=max(cadence.refresh_without_webhooks_every, floor),
    )
