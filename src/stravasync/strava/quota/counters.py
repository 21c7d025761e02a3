"""The budget's pure decisions on its four counters: roll, reserve, reconcile, close on 429.

A :class:`Counter` is one row of the shared ``rate_budget`` table. Every function here takes
the counters and ``now`` and returns new counters (or a denial): the store and the in-memory
budget only load, call, and save.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from stravasync.strava.quota.ratelimit import LimitClass, Limits, Policy, Priority
from stravasync.strava.quota.windows import Window, elapsed_fraction, window_end, window_start

EPSILON = timedelta(milliseconds=1)
GUARD = "guard"
"""The limit class of a denial that is only the guard around a quarter hour's reset."""


@dataclass(frozen=True, slots=True)
class Counter:
    limit_class: LimitClass
    window: Window
    window_start: datetime
    used: int
    limit: int
    closed_until: datetime | None = None
    http_429: int = 0

    @property
    def name(self) -> str:
        return f"{self.limit_class.value}:{self.window.value}"

    @property
    def window_end(self) -> datetime:
        return self.window_start + timedelta(seconds=self.window.seconds)


@dataclass(frozen=True, slots=True)
class Denial:
    retry_at: datetime
    limit_class: str


ALL_KEYS: tuple[tuple[LimitClass, Window], ...] = tuple(
    (lc, w) for lc in LimitClass for w in Window
)


def fresh_counters(limits: Limits, now: datetime) -> list[Counter]:
    return [Counter(lc, w, window_start(w, now), 0, limits.value(lc, w)) for lc, w in ALL_KEYS]


def roll(counter: Counter, now: datetime, configured: Limits) -> tuple[Counter, Counter | None]:
    """The counter for ``now``'s window, and the finished one to archive (if it rolled).

    The limit is clamped to the configured one (a lower setting applies at once).
    """
    limit = min(counter.limit, configured.value(counter.limit_class, counter.window))
    start = window_start(counter.window, now)
    if counter.window_start >= start:
        return replace(counter, limit=limit), None
    closed = counter.closed_until if counter.closed_until and counter.closed_until > now else None
    return replace(
        counter, window_start=start, used=0, http_429=0, closed_until=closed, limit=limit
    ), counter


def unskew(counter: Counter, now: datetime, tolerance: float) -> Counter:
    """The counter with what a process whose clock ran ahead wrote undone (issue 25).

    A window that starts later than ``now`` + ``tolerance`` seconds, or a close that outlasts the
    window after ``now``'s (a 429 closes until the window's end, never longer), cannot have been
    written by a clock that agrees with ours: left alone, :func:`roll` would keep the future
    window and hold every request until that clock's time came (it never rolls, so it gathers
    every process's requests of several real quarters). The window becomes ``now``'s and the
    close is dropped. A day keeps its count (the requests were sent today, whatever the clock
    said); a quarter hour starts from zero: its count spans quarters Strava has reset since,
    and the first response's headers set the true one (:func:`reconcile` only raises it). A
    counter that shows no such time is returned unchanged.
    """
    ahead = now + timedelta(seconds=tolerance)
    if counter.window_start > ahead:
        used = counter.used if counter.window is Window.DAY else 0
        counter = replace(counter, window_start=window_start(counter.window, now), used=used)
    if counter.closed_until is not None and counter.closed_until > window_end(
        counter.window, ahead
    ):
        counter = replace(counter, closed_until=None)
    return counter


def applies(counter: Counter, read: bool) -> bool:
    return counter.limit_class is LimitClass.OVERALL or read


def _retry_for(counter: Counter, priority: Priority, now: datetime, policy: Policy) -> datetime:
    """Earliest time at which ``counter`` would accept one more request of ``priority``."""
    end = counter.window_end
    reopen = end + timedelta(seconds=policy.guard)
    if counter.used + 1 > counter.limit:
        return reopen
    rem = policy.opens_at(priority, counter.limit, counter.used, counter.window)
    if rem is None:
        return reopen  # only the daily reserve is left: this class never spends it
    seconds = counter.window.seconds
    # the cushion (and a released reserve) shrinks as the reset nears
    t = max(now, end - timedelta(seconds=rem + policy.guard))
    if policy.paced(priority, counter.window):
        burst = policy.burst_size(counter.limit)
        frac = (counter.used - burst) / counter.limit
        if frac > 0:
            t = max(t, counter.window_start + timedelta(seconds=frac * seconds))
    t = t + EPSILON
    last = window_end(Window.QUARTER, t) - timedelta(seconds=policy.guard)
    if t >= last:  # in the closing guard of a quarter hour: the next one after its guard
        t = last + timedelta(seconds=2 * policy.guard) + EPSILON
    return t if t < end else reopen


def decide(
    counters: Sequence[Counter], priority: Priority, *, read: bool, now: datetime, policy: Policy
) -> list[Counter] | Denial:
    """Reserve one request: the counters with it counted, or a :class:`Denial`.

    ``counters`` must already be rolled to ``now`` (see :func:`roll`).
    """
    quarter = window_start(Window.QUARTER, now)
    guard = timedelta(seconds=policy.guard)
    if now < quarter + guard:
        return Denial(quarter + guard + EPSILON, GUARD)
    end = quarter + timedelta(seconds=Window.QUARTER.seconds)
    if now >= end - guard:
        return Denial(end + guard + EPSILON, GUARD)
    denials: list[Denial] = []
    for c in counters:
        if not applies(c, read):
            continue
        if c.closed_until is not None and c.closed_until > now:
            denials.append(Denial(c.closed_until, c.name))
            continue
        allowance = policy.allowance(priority, c.limit, elapsed_fraction(c.window, now), c.window)
        if not (c.used < allowance and c.used < c.limit):
            denials.append(Denial(_retry_for(c, priority, now, policy), c.name))
    if denials:
        return max(denials, key=lambda d: d.retry_at)
    return [replace(c, used=c.used + 1) if applies(c, read) else c for c in counters]


# --- headers -------------------------------------------------------------------------------

Usage = dict[tuple[LimitClass, Window], tuple[int, int]]

_HEADERS = {
    LimitClass.OVERALL: ("x-ratelimit-usage", "x-ratelimit-limit"),
    LimitClass.READ: ("x-readratelimit-usage", "x-readratelimit-limit"),
}


def _pair(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        return None
    try:
        return int(parts[0]), int(parts[1])
    except ValueError:
        return None


def parse_headers(headers: Mapping[str, str]) -> Usage:
    """``{(class, window): (used, limit)}`` from Strava's rate headers, matched case-blind.

    Missing or garbled headers give an empty or partial result (never an error).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    out: Usage = {}
    for lc, (usage_name, limit_name) in _HEADERS.items():
        usage, limit = _pair(lower.get(usage_name)), _pair(lower.get(limit_name))
        if usage is None or limit is None:
            continue
        out[(lc, Window.QUARTER)] = (usage[0], limit[0])
        out[(lc, Window.DAY)] = (usage[1], limit[1])
    return out


def reconcile(
    counters: Sequence[Counter],
    usage: Usage,
    *,
    sent_at: datetime,
    now: datetime,
    configured: Limits,
) -> list[Counter]:
    """Correct counters from response headers: the headers are the truth.

    Within a window, usage can only be raised (our reservations in flight are not in the
    header yet). A response whose request was sent in an earlier window than ``now``'s is
    ambiguous and does not touch that counter. The limit becomes Strava's, capped by the
    configured one (an operator may keep part of an application's quota for something else).
    """
    out: list[Counter] = []
    for c in counters:
        seen = usage.get((c.limit_class, c.window))
        if seen is None:
            out.append(c)
            continue
        used, limit = seen
        limit = min(max(limit, 1), configured.value(c.limit_class, c.window))
        same = window_start(c.window, sent_at) == c.window_start == window_start(c.window, now)
        out.append(replace(c, used=max(c.used, used) if same else c.used, limit=limit))
    return out


def close_on_429(
    counters: Sequence[Counter], usage: Usage, *, read: bool, now: datetime
) -> tuple[list[Counter], Denial]:
    """Close the limit classes a 429 shows as exceeded until their windows reset.

    Without usable headers the 15-minute counters the request counted against are closed.
    Returns the new counters and the denial to report (latest reopening).
    """
    exceeded = {key for key, (used, limit) in usage.items() if used >= limit}
    if not exceeded:
        exceeded = {(c.limit_class, Window.QUARTER) for c in counters if applies(c, read)}
    out: list[Counter] = []
    denials: list[Denial] = []
    for c in counters:
        if (c.limit_class, c.window) in exceeded:
            until = window_end(c.window, now)
            c = replace(c, closed_until=until, http_429=c.http_429 + 1, used=max(c.used, c.limit))
            denials.append(Denial(until, c.name))
        out.append(c)
    denial = max(denials, key=lambda d: d.retry_at) if denials else Denial(now, "unknown")
    return out, denial


def utilisation(counter: Counter) -> float:
    """used / limit of a counter, for dashboards (0 when the limit is unknown)."""
    return counter.used / counter.limit if counter.limit > 0 else math.nan
