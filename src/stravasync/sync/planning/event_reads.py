"""How many reads webhook events Strava did not confirm may spend: a pure decision.

Events are not signed, so anyone who knows the subscription id and an athlete's (public) id can
post events naming activities that do not exist. Each one used to cost a read (a GET answering
404); a flood then spent the webhook class's whole window. Now an athlete's pending creates and
updates are confirmed together by one listing of their latest activities (``GET
/athlete/activities``, :mod:`stravasync.sync.event_confirm`), and only a read that changed
nothing in the mirror (an *unconfirmed* read) counts against these allowances:

- per athlete and quarter hour: ``athlete_listings`` listings and ``athlete_reads`` single
  reads (a GET for an edit of a held activity, for a lone event, or a delete of a held
  activity);
- one listing per athlete per ``listing_interval`` seconds (events arriving meanwhile wait and
  are confirmed together by the next one: a real create waits at most this long);
- for all athletes together, two pools of ``share`` of each read window (10 reads a quarter
  hour and 100 a day each on the default quota of 100 / 1,000), so that a flood's reads are
  never counted against the athletes it did not touch:

  - *clean*: an athlete with no unconfirmed read today (UTC) spends from the clean pool; its
    first unconfirmed read makes it a *suspect* for the rest of the day, so each athlete can
    spend at most one read of this pool a day;
  - *suspect*: every later unconfirmed read of the athlete that day.

  An athlete who was not flooded is therefore never held back by the athletes who were
  (unless the flood touched more athletes for the first time in one quarter hour than the
  clean pool holds), and a flooded athlete's real events wait only once the suspects'
  pool is spent.

A read that changed the mirror (a new or edited activity, a deletion applied) was real work and
counts against nothing here. So the most a forger can make the service read, with every
athlete's id and the subscription id, is a suspect pool plus one read per athlete (at most a
clean pool) a day: ``daily + min(daily, athletes)`` (100 + the athletes, at most 200 on the
default quota), and ``quarter + min(quarter, athletes)`` in a quarter hour (at most 20).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from stravasync.strava.quota.windows import Window, window_end


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
        """Unconfirmed reads one pool (clean or suspect) may hold in a quarter hour (>= 1)."""
        return max(1, math.floor(self.share * self.read_15min))

    @property
    def daily(self) -> int:
        """Unconfirmed reads one pool may hold in a UTC day (at least one)."""
        return max(1, math.floor(self.share * self.read_daily))


@dataclass(frozen=True, slots=True)
class Spent:
    """Unconfirmed reads already spent: this athlete's listings and single reads in the
    current quarter hour and all of its reads today; everyone's in the quarter hour and the
    day, and of those the clean pool's (one per athlete: its first of the day); the
    athlete's last listing for events (any outcome)."""

    athlete_listings: int = 0
    athlete_reads: int = 0
    athlete_day: int = 0
    quarter: int = 0
    day: int = 0
    clean_quarter: int = 0
    clean_day: int = 0
    last_listing: datetime | None = None

    @property
    def clean(self) -> bool:
        """The athlete has spent no unconfirmed read today: no sign of a flood."""
        return self.athlete_day == 0

    def pool(self) -> tuple[int, int]:
        """What the athlete's pool (clean or suspect) holds: (quarter hour, day)."""
        if self.clean:
            return self.clean_quarter, self.clean_day
        return self.quarter - self.clean_quarter, self.day - self.clean_day


def may_read(
    limits: EventReadLimits, spent: Spent, now: datetime, *, listing: bool
) -> datetime | None:
    """None when one more read (a listing, or a single GET) may be sent now; otherwise the
    earliest time it may (the next listing slot, quarter hour or day)."""
    quarter, day = spent.pool()
    if day >= limits.daily:
        return window_end(Window.DAY, now)
    if quarter >= limits.quarter:
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


def quiet(spent: Spent, *, siblings: bool) -> bool:
    """No sign of a flood: no read of the athlete confirmed nothing this quarter hour and no
    other event of theirs is pending, so a lone event is worth a GET of its own (a flood spread
    thin, one event at a time, thus costs one GET, then listings)."""
    return not (spent.athlete_listings or spent.athlete_reads or siblings)


def worth_a_get(limits: EventReadLimits, spent: Spent, now: datetime, *, siblings: bool) -> bool:
    """After a listing that did not show the event: a GET of its own only when it is the
    athlete's only pending event (a late upload with an old start date, an edit of an older
    activity), no single read of theirs confirmed nothing this quarter hour and one is left;
    otherwise (a flood) the listing's word stands for all of them."""
    if siblings or spent.athlete_reads:
        return False
    return may_read(limits, spent, now, listing=False) is None


def covered(received_at: datetime, last_listing: datetime | None) -> bool:
    """A listing taken after the event arrived has already answered for it."""
    return last_listing is not None and last_listing >= received_at


def worst_case_quarter(limits: EventReadLimits, athletes: int) -> int:
    """The most unconfirmed reads a quarter hour can hold with ``athletes`` connected: the
    suspects' pool and one clean read for each athlete (at most the clean pool)."""
    return limits.quarter + min(limits.quarter, max(0, athletes))


def worst_case_daily(limits: EventReadLimits, athletes: int) -> int:
    """The most unconfirmed reads a UTC day can hold with ``athletes`` connected: the
    suspects' daily pool (or 96 quarter hours' if less) and one clean read per athlete (at
    most the clean pool)."""
    suspects = min(limits.daily, 96 * limits.quarter)
    return suspects + min(suspects, max(0, athletes))
