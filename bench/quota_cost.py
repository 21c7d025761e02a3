"""What gear and streams cost in reads (issue 21 point 6), and whether the daily reserve holds.

Gear is read at the enrichment class: ``GET /athlete`` (bikes and shoes, one read, weekly and
when an activity names an unknown gear id) and ``GET /gear/{id}`` (each gear described once,
retired gear weekly). Streams are one read per activity enriched (``GET
/activities/{id}/streams``, ``STRAVASYNC_SYNC_ENRICH_STREAMS``). The figures are split from the
same run's endpoint counts, so they stand beside the run's other figures.

The daily reserve holds when no grant of a periodic class (incremental, refresh, reconcile,
enrich) found the day's reads already past ``1 - daily_reserve`` of the daily limit, except the
bounded classes (not enrichment) in the release window before midnight.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from stravasync.strava.quota.ratelimit import RELEASED_TO, RESERVE_FOR, Policy

DAY = 86400
GEAR_ENDPOINTS = ("GET /api/v3/athlete", "GET /api/v3/gear/{id}")
STREAMS_ENDPOINTS = ("GET /api/v3/activities/{id}/streams",)
_RESERVED = {p.name.lower() for p in RESERVE_FOR}
_RELEASED = {p.name.lower() for p in RELEASED_TO}


def _reads(calls: list[tuple[int, str, int]], endpoints: tuple[str, ...]) -> list[int]:
    return [t for t, name, _ in calls if name in endpoints]


def cost(
    calls: list[tuple[int, str, int]], *, athletes: int, measure_from: int, end: int
) -> dict[str, Any]:
    """Reads spent on gear and on streams: in all, per athlete, per measured day (and each
    UTC day), beside the run's total."""
    days = max((end - measure_from) / DAY, 1e-9)
    out: dict[str, Any] = {"athletes": athletes, "measured_days": round(days, 3)}
    for name, endpoints in (("gear", GEAR_ENDPOINTS), ("streams", STREAMS_ENDPOINTS)):
        times = _reads(calls, endpoints)
        measured = [t for t in times if measure_from <= t < end]
        per_day = Counter(t // DAY for t in times)
        out[name] = {
            "reads": len(times),
            "reads_per_athlete": round(len(times) / max(athletes, 1), 3),
            "measured_reads": len(measured),
            "measured_per_athlete_per_day": round(len(measured) / max(athletes, 1) / days, 4),
            "by_day": {_date(d): n for d, n in sorted(per_day.items())},
        }
    total = len(calls)
    spent = out["gear"]["reads"] + out["streams"]["reads"]
    out["all_reads"] = total
    out["other_reads"] = total - spent
    out["share_of_reads"] = {
        "gear": round(out["gear"]["reads"] / max(total, 1), 4),
        "streams": round(out["streams"]["reads"] / max(total, 1), 4),
    }
    return out


def _date(day: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(day * DAY, UTC).date().isoformat()


def reserve_check(
    rows: list[tuple[int, str]], read_daily: int, policy: Policy | None = None
) -> list[dict[str, Any]]:
    """Per UTC day of granted reservations (epoch, class): reads, the fewest left when a
    periodic class was granted one, and grants that went past the reserve (0: it held)."""
    policy = policy or Policy()
    floor = (1.0 - policy.daily_reserve) * read_daily
    days: dict[int, list[tuple[int, str]]] = {}
    for t, name in sorted(rows):
        days.setdefault(t // DAY, []).append((t, name))
    out = []
    for day, grants in sorted(days.items()):
        release_from = (day + 1) * DAY - policy.reserve_release
        spent, past, least_left = 0, 0, read_daily
        for t, name in grants:
            if name not in _RESERVED:
                released = name in _RELEASED and t >= release_from
                if spent >= floor and not released:
                    past += 1
                least_left = min(least_left, read_daily - spent)
            spent += 1
        out.append(
            {
                "day": _date(day),
                "reads": spent,
                "left_at_reset": read_daily - spent,
                "least_left_at_a_periodic_grant": least_left,
                "periodic_grants_past_reserve": past,
            }
        )
    return out
