"""How many reads webhook events Strava did not confirm may spend: a pure decision.

Events are not signed, so anyone who knows the subscription id and an athlete's (public) id can
post events naming activities that do not exist. Each one used to cost a read (a GET answering
404); a flood then spent the webhook class's whole window. Now an athlete's pending creates and
updates are confirmed together by one listing of their latest activities (``GET
/athlete/activities``, :mod:`stravasync.sync.events`), and only a read that changed nothing in
the mirror (an *unconfirmed* read) counts against these allowances:

- per athlete and quarter hour: ``athlete_listings`` listings and ``athlete_reads`` single
  reads (a GET for an event the listing did not show, or a delete of a held activity);
- one listing per athlete per ``listing_interval`` seconds (events arriving meanwhile wait and
  are confirmed together by the next one: a real create waits at most this long);
- for all athletes together: ``share`` of each read window (10%: 10 reads a quarter hour and
  100 a day on the default quota of 100 / 1,000).

A read that changed the mirror (a new or edited activity, a deletion applied) was real work and
counts against nothing here. So the most a forger can make the service read, with every
athlete's id and the subscription id, is ``share`` of the daily read limit a day (100 reads on
the default quota), and at most ``share`` of a quarter hour's, whatever the number of athletes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from stravasync.strava.windows import Window, window_end


@dataclass(frozen=True, slots=True)
class EventReadLimits:
    """Allowances for unconfirmed reads (counts; ``listing_interval`` in seconds)."""

    athlete_listings: int = 4
    athlete_reads: int = 2
    listing_interval: float = 30.0
    share: float = 0.10
    read_15min: int = 100
    read_daily: int = 1_000

    @property
    def quarter(self) -> int:
        """Unconfirmed reads of all athletes a quarter hour may hold (at least one)."""
        return max(1, math.floor(self.share * self.read_15min))

    @property
    def daily(self) -> int:
        """Unconfirmed reads of all athletes a UTC day may hold (at least one)."""
        return max(1, math.floor(self.share * self.read_daily))


@dataclass(frozen=True, slots=True)
class Spent:
    """Unconfirmed reads already spent: this athlete's listings and single reads in the
    current quarter hour, everyone's in the quarter hour and the day; the athlete's last
    listing for events (any outcome)."""

    athlete_listings: int = 0
    athlete_reads: int = 0
    quarter: int = 0
    day: int = 0
    last_listing: datetime | None = None


def may_read(
    limits: EventReadLimits, spent: Spent, now: datetime, *, listing: bool
) -> datetime | None:
    """None when one more read (a listing, or a single GET) may be sent now; otherwise the
    earliest time it may (the next listing slot, quarter hour or day)."""
    if spent.day >= limits.daily:
        return window_end(Window.DAY, now)
    if spent.quarter >= limits.quarter:
        return window_end(Window.QUARTER, now)
    if listing:
        if spent.last_listing is not None:
            slot = spent.last_listing + timedelta(seconds=limits.listing_interval)
            if slot > now:
                return slot
        if spent.athlete_listings >= limits.athlete_listings:
            return window_end(Window.QUARTER, now)
    elif spent.athlete_reads >= limits.athlete_reads:
        return window_end(Window.QUARTER, now)
    return None


def covered(received_at: datetime, last_listing: datetime | None) -> bool:
    """A listing taken after the event arrived has already answered for it."""
    return last_listing is not None and last_listing >= received_at


def worst_case_daily(limits: EventReadLimits) -> int:
    """The most unconfirmed reads a day can hold: the daily share, or 96 quarter hours' shares
    if that is less."""
    return min(limits.daily, 96 * limits.quarter)
