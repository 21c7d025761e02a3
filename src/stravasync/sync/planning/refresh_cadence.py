"""How often each athlete's recent window is re-listed, from the quota left and how recently
they were active: spare reads spent on freshness instead of left idle. Pure; time is an input.

Silent edits (gear, a crop, the workout type; the description inside the detail) send no
webhook: only re-reading finds them. The cheapest detector is the refresh listing (one read
lists up to 200 recent summaries; a detail whose summary changed is then re-fetched, see
:mod:`stravasync.store.mirror.detail_freshness`). Athletes edit soon after uploading (a title within
the hour, a crop within hours, gear and workout type within a day or two), so the chance that
an athlete holds an unseen edit decays with the age of their newest activity. Three heats:

- **hot**: an activity started in the last ``hot_hours`` (default 48 h), weight 1;
- **warm**: within ``active_days`` (7), weight :data:`WARM_WEIGHT`;
- **cold**: older, weight :data:`COLD_WEIGHT`.

For ``R`` refresh reads a day, the intervals that minimise the mean delay of an edit are
proportional to ``1 / sqrt(weight)`` (polling sources that change at rate ``w``: spend in
proportion to ``sqrt(w)``): hot every ``T``, warm every ``2 T``, cold every ``7 T``; ``T``
is the one that spends ``R`` (a listing, plus a token refresh when tokens, living 6 h, expired
in between, where Strava counts those).

``R`` is the spare quota: the daily read limit, less the daily reserve the budget keeps for the
unexpected, less the reads the rest of the day's work is expected to need (each recent upload
costs about :data:`READS_PER_UPLOAD`: its webhook GET, streams, the settled re-fetch), times
``share`` (the rest stays for bursts and enrichment). While a history is owed (a new athlete's
summaries or their details), the backlog has first claim: ``R`` shrinks to ``busy_share`` of
what it would be. An interval is never below ``floor`` (a listing more often than that finds
little more) nor above :data:`LONGEST`. A small app (10 athletes on the default quota) gets
minutes; a club of 200 gets hours for its hot athletes and days for its cold ones, and spends
less than a fixed cadence would (the reads go where edits happen).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from stravasync.strava.quota.ratelimit import UNLIMITED
from stravasync.sync.planning.plan import Cadence, fit_to_budget

WARM_WEIGHT = 0.25  # gear and workout-type edits come a day or two after the upload
COLD_WEIGHT = 0.02
READS_PER_UPLOAD = 4.0  # webhook GET, streams, a settled re-fetch, a summary-changed re-fetch
UPLOADS_PER_DAY = {"hot": 1.0, "warm": 0.3, "cold": 0.0}  # a rough rate for each heat
DAY = 86400.0
TOKEN_TTL = 6 * 3600.0
LONGEST = 7 * DAY  # a third of the refresh window: no athlete waits longer


@dataclass(frozen=True, slots=True)
class Heat:
    """Athletes synced automatically, by the age of their newest activity."""

    hot: int = 0
    warm: int = 0
    cold: int = 0

    @property
    def total(self) -> int:
        return self.hot + self.warm + self.cold


@dataclass(frozen=True, slots=True)
class Spare:
    """What the refresh may spend: quota, the reserve kept, the share, the backlog state."""

    read_daily: int
    reserve: float = 0.20  # the budget's daily reserve (fraction of the daily limit)
    share: float = 0.6
    busy_share: float = 0.2
    busy: bool = False  # a history (summaries or details) is owed
    count_tokens: bool = True  # Strava counts POST /oauth/token as a read
    floor: float = 600.0  # seconds: never re-list an athlete more often


def multipliers() -> tuple[float, float, float]:
    """Interval of each heat relative to the hot one: ``1 / sqrt(weight)``."""
    return 1.0, 1.0 / math.sqrt(WARM_WEIGHT), 1.0 / math.sqrt(COLD_WEIGHT)


def reads_per_day(interval: float, *, count_tokens: bool) -> float:
    """Reads a day of one athlete refreshed every ``interval`` s (token refreshes included)."""
    listings = DAY / interval
    if not count_tokens:
        return listings
    return listings + min(listings, DAY / TOKEN_TTL)


def expected_demand(heat: Heat, *, count_tokens: bool) -> float:
    """Reads a day the athletes' uploads are expected to cost outside the refresh."""
    uploads = heat.hot * UPLOADS_PER_DAY["hot"] + heat.warm * UPLOADS_PER_DAY["warm"]
    return uploads * READS_PER_UPLOAD * (1.0 if count_tokens else 0.8)


def refresh_reads(heat: Heat, spare: Spare) -> float:
    """The refresh's reads a day (``R`` in the module docstring)."""
    room = spare.read_daily * (1.0 - spare.reserve)
    room -= expected_demand(heat, count_tokens=spare.count_tokens)
    budget = max(0.0, room) * spare.share
    return budget * spare.busy_share if spare.busy else budget


def hot_interval(heat: Heat, reads: float, *, count_tokens: bool, floor: float) -> float:
    """The hot interval ``T`` whose three heats together spend ``reads`` a day (bisection)."""
    counts = (heat.hot, heat.warm, heat.cold)
    mults = multipliers()

    def cost(t: float) -> float:
        return sum(
            n * reads_per_day(t * m, count_tokens=count_tokens)
            for n, m in zip(counts, mults, strict=True)
            if n
        )

    if heat.total == 0 or cost(floor) <= reads:
        return floor
    if reads <= 0 or cost(LONGEST) > reads:
        return LONGEST
    lo, hi = floor, LONGEST
    while hi - lo > 1.0:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if cost(mid) <= reads else (mid, hi)
    return hi


def spare_cadence(cadence: Cadence, heat: Heat, spare: Spare) -> Cadence:
    """``cadence`` with its refresh intervals spent from the spare quota (webhooks on; with
    ``share`` 0, webhooks off or no limit known (the ``unlimited`` tier: nothing is spare,
    everything is): the fixed-hours fit of :func:`fit_to_budget`)."""
    if not cadence.webhooks or spare.share <= 0 or not 0 < spare.read_daily < UNLIMITED:
        return fit_to_budget(cadence, athletes=heat.total, read_daily=spare.read_daily)
    reads = refresh_reads(heat, spare)
    t = hot_interval(heat, reads, count_tokens=spare.count_tokens, floor=spare.floor)
    hot, warm, cold = (min(LONGEST, max(spare.floor, t * m)) for m in multipliers())
    return replace(
        cadence,
        refresh_hot_every=hot,
        refresh_active_every=warm,
        refresh_inactive_every=cold,
    )
