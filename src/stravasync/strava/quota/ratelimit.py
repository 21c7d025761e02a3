"""Priorities, limits and the budget policy: cushions per priority class and pacing.

Strava counts requests per application in four counters: overall and read, each over a
15-minute and a daily window. Every request is reserved before it is sent (see
:mod:`stravasync.strava.quota.counters` for the decision, :mod:`stravasync.strava.quota.budget`
for the shared store). This module holds the numbers and the two curves that shape spending:

**Cushions.** A class may not spend the last ``cushion * limit`` requests of a window, so the
classes above it still find room. Defaults (fraction of each limit):

=============  =====  =========================================================================
interactive    0      a person is waiting: may use everything
webhook        0.02   one event is one or two requests; 2% of 100 keeps two for a click
incremental    0.05   regular polls, a few per athlete; keep room for webhooks and clicks
refresh        0.10   re-listing recent weeks catches silent edits, it can wait minutes
backfill       0.15   history can wait; it must never starve new activities
enrich         0.20   details and streams are the biggest spender and the least urgent
reconcile      0.25   cheap periodic safety net; runs on what everybody else left
=============  =====  =========================================================================

**Release.** Quota left at a reset is lost, so in the last ``release`` fraction of a quarter
hour (default 10%: its last 90 s) every cushion shrinks linearly to zero. A higher class
arriving then waits at most until the reset; in exchange the lower classes use the whole window
when the higher ones are idle. On the daily window the cushions shrink over the last
``daily_release`` of the day (default all of it): what the classes above need for the rest of
the day shrinks with the time left, so at 18:00 UTC a class keeps a quarter of its cushion. (A
release over the last 2.4 h only held a backfill of 1,000 athletes, which needs 85% of the
extended quota's day, at its 15% cushion for most of the day: bench/REPORT.md, backfill.)

**Daily reserve.** The periodic classes (incremental polls, the refresh and reconcile safety
nets, enrichment) never spend the last ``daily_reserve * limit`` requests of a day, and their
daily cushions sit *on top of* it: a day spent to the last call by enrichment (as club-week did,
999-1,001 of 1,000 reads a day) leaves nothing for the unexpected, and the order of the periodic
classes survives the reserve (as a floor under the shrinking cushions, the reserve gave refresh,
enrich and reconcile the same cap for most of the day; enrichment filled it and refresh found
nothing left: bench/NOTES.md, daily reserve). What the unexpected brings may spend it
(``reserve_for``): interactive work (manual syncs, connects), webhooks, and new athletes'
histories (backfill). Default 20%: 200 reads on the default quota (1,000 a day): a burst of 50
new athletes (a token exchange and a newest page each: 100) and 20 manual syncs (a listing and
perhaps a token refresh each: 20-40), plus the webhook fetches of the hours between the moment
enrichment reaches the reserve and midnight (about 8 an hour for a club of 200); 600 on the
extended quota. Quota left at the reset is lost, so over the last ``reserve_release`` seconds
of the day (default 30 min, the time a burst may wait: a burst arriving then waits at most that
long for the reset) the unclaimed reserve shrinks to zero for the bounded periodic classes
(``released_to``: incremental, refresh, reconcile); enrichment, the unbounded one, keeps it to
the reset.

**Pacing.** Classes from ``paced_from`` (default incremental) down may spend at most
``burst * limit + limit * elapsed`` of a window at time ``elapsed`` (a fraction of the window):
a class spreads its share across the window instead of bursting at the reset, so requests
arriving later in the window (a webhook, an athlete's new ride) do not wait for the next one.
Burst (default 10%, at least one request) lets idle time be caught up quickly. On the daily
window only enrich and reconcile (``daily_paced_from``) are paced: a backfill paced over a day
would take a day however idle the quarter hours are (measured in the backfill benchmark), and
the daily cushions already keep room for the classes above.

**Guard.** Strava counts a request in the window it *arrives* in, by its own clock. Nothing is
sent in the first ``guard`` seconds of a quarter hour (a clock slightly ahead of Strava's would
count a request in a window Strava has not opened) nor in its last ``guard`` seconds (a request
still in flight at the reset would land in the next window, uncounted there by us). Default
1 s each side: 0.2% of a window, against the clock skew plus request latency of a healthy link.
Under a scaled clock (tests, demos) the guard is virtual seconds: scale it with the speed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from stravasync.strava.quota.windows import Window


class Priority(IntEnum):
    """Work classes, most urgent first (a lower number wins)."""

    INTERACTIVE = 0
    WEBHOOK = 1
    INCREMENTAL = 2
    REFRESH = 3
    BACKFILL = 4
    ENRICH = 5
    RECONCILE = 6


class LimitClass(StrEnum):
    OVERALL = "overall"
    READ = "read"


DEFAULT_CUSHIONS: dict[Priority, float] = {
    Priority.INTERACTIVE: 0.0,
    Priority.WEBHOOK: 0.02,
    Priority.INCREMENTAL: 0.05,
    Priority.REFRESH: 0.10,
    Priority.BACKFILL: 0.15,
    Priority.ENRICH: 0.20,
    Priority.RECONCILE: 0.25,
}


# the classes that may spend the daily reserve: what a person, a push or a new athlete brings
RESERVE_FOR = frozenset({Priority.INTERACTIVE, Priority.WEBHOOK, Priority.BACKFILL})
# the periodic classes whose work is bounded (polls and the safety nets): the reserve nobody
# claimed is released to them at the end of the day; enrichment, unbounded, never gets it
RELEASED_TO = frozenset({Priority.INCREMENTAL, Priority.REFRESH, Priority.RECONCILE})


@dataclass(frozen=True, slots=True)
class Limits:
    """Requests allowed per window: overall and read, 15 minutes and daily."""

    overall_15min: int
    overall_daily: int
    read_15min: int
    read_daily: int

    def value(self, limit_class: LimitClass, window: Window) -> int:
        return int(getattr(self, f"{limit_class.value}_{window.value}"))


UNLIMITED = 10**9

TIERS: dict[str, Limits] = {
    "default": Limits(200, 2_000, 100, 1_000),
    "standard": Limits(400, 4_000, 200, 2_000),
    "extended": Limits(600, 6_000, 300, 3_000),
    "unlimited": Limits(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED),
}


def limits_for(tier: str, overrides: Mapping[str, int | None] | None = None) -> Limits:
    """The limits of ``tier`` with any explicit ``overrides`` (e.g. ``{"read_15min": 20}``).

    Tier ``explicit`` starts from ``default`` and expects every override to be given.
    """
    base = TIERS.get(tier, TIERS["default"])
    values = {
        "overall_15min": base.overall_15min,
        "overall_daily": base.overall_daily,
        "read_15min": base.read_15min,
        "read_daily": base.read_daily,
    }
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = int(value)
    return Limits(**values)


@dataclass(frozen=True, slots=True)
class Policy:
    """How the budget shapes spending; see the module docstring for the reasoning."""

    cushions: Mapping[Priority, float] = field(default_factory=lambda: dict(DEFAULT_CUSHIONS))
    paced_from: Priority = Priority.INCREMENTAL
    daily_paced_from: Priority = Priority.ENRICH
    burst: float = 0.10
    release: float = 0.10
    guard: float = 1.0
    daily_release: float = 1.0
    daily_reserve: float = 0.20
    reserve_for: frozenset[Priority] = RESERVE_FOR
    reserve_release: float = 1_800.0
    released_to: frozenset[Priority] = RELEASED_TO

    def reserve(
        self, priority: Priority, limit: int, window: Window, remaining: float | None = None
    ) -> float:
        """Requests of a day ``priority`` does not spend at ``remaining`` s before the reset
        (0 for the classes of ``reserve_for``; for those of ``released_to`` it shrinks to 0
        over the last ``reserve_release`` s; ``None``: the full reserve)."""
        if window is not Window.DAY or priority in self.reserve_for:
            return 0.0
        full = self.daily_reserve * limit
        release_s = self.reserve_release
        if remaining is None or priority not in self.released_to or release_s <= 0:
            return full
        return full * min(max(remaining, 0.0) / release_s, 1.0)

    def release_seconds(self, window: Window) -> float:
        """The final part of ``window`` over which the cushions shrink to zero."""
        fraction = self.daily_release if window is Window.DAY else self.release
        return fraction * window.seconds

    def cushion(self, priority: Priority, limit: int, remaining: float, window: Window) -> float:
        """Requests of a window kept for the classes above ``priority`` at ``remaining`` s:
        the reserve, plus the class's cushion shrinking over the release (on top of the
        reserve, so the periodic classes keep their order until the reset)."""
        base = self.cushions.get(priority, 0.0) * limit
        release_s = self.release_seconds(window)
        if release_s > 0 and remaining < release_s:
            base = base * max(remaining, 0.0) / release_s
        return base + self.reserve(priority, limit, window, remaining)

    def opens_at(self, priority: Priority, limit: int, used: int, window: Window) -> float | None:
        """The most seconds before the reset at which ``used`` is below ``priority``'s cap
        (``limit - cushion``), or ``None`` if it is not before the reset. The cushion only
        shrinks as the reset nears, so the cap only rises: found by bisection (to 1 ms)."""

        def opens(remaining: float) -> bool:
            return used < limit - self.cushion(priority, limit, remaining, window)

        hi = float(window.seconds)
        if opens(hi):
            return hi
        if not opens(0.0):
            return None
        lo = 0.0
        while hi - lo > 1e-3:
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if opens(mid) else (lo, mid)
        return lo

    def paced(self, priority: Priority, window: Window = Window.QUARTER) -> bool:
        """Whether ``priority`` spreads its spending across ``window``.

        On the 15-minute window every class from ``paced_from`` down is paced. On the daily
        window only the bulk, optional classes (``daily_paced_from``: enrich, reconcile) are:
        pacing a backfill or a refresh over a whole day would stretch a first sync from minutes
        to a day, and the daily cushions already keep room for the classes above.
        """
        if window is Window.DAY:
            return priority >= self.daily_paced_from
        return priority >= self.paced_from

    def burst_size(self, limit: int) -> float:
        return max(1.0, self.burst * limit)

    def allowance(self, priority: Priority, limit: int, elapsed: float, window: Window) -> float:
        """How many requests of a window ``priority`` may have been spent by ``elapsed`` (0..1).

        A request is allowed while the window's ``used`` count is below this value.
        """
        # the release ends where sending ends: ``guard`` seconds before the reset
        remaining = (1.0 - elapsed) * window.seconds - self.guard
        cap = limit - self.cushion(priority, limit, remaining, window)
        if not self.paced(priority, window):
            return cap
        return min(cap, self.burst_size(limit) + limit * elapsed)


def policy_from_settings(
    cushions: Mapping[str, float],
    *,
    paced_from: str,
    burst: float,
    release: float,
    guard: float,
    daily_release: float = 1.0,
    daily_reserve: float = 0.20,
    reserve_release: float = 1_800.0,
) -> Policy:
    """Build a :class:`Policy` from the names used in Settings (e.g. ``{"backfill": 0.2}``)."""
    merged = dict(DEFAULT_CUSHIONS)
    for name, value in cushions.items():
        merged[Priority[name.upper()]] = float(value)
    return Policy(
        cushions=merged,
        paced_from=Priority[paced_from.upper()],
        burst=burst,
        release=release,
        guard=guard,
        daily_release=daily_release,
        daily_reserve=daily_reserve,
        reserve_release=reserve_release,
    )
