"""Whether the enrich pass fetches streams: the setting resolved against the deployment, and
per activity. Pure decisions (the engine supplies the counts and times).

Streams cost one read per activity (``GET /activities/{id}/streams``, all types at once), beside
its DetailedActivity. They are fetched once per activity: a detail fetched again (stale, or
settled) does not fetch them again unless a request forces it (``sync --mode enrich --force``).

``auto`` (the default) turns them on while the athletes are few enough that a new activity's
stream read fits the daily quota beside everything else: ``athletes <= max_auto_athletes``
(measured on the club-week simulation, ``bench/streams_cost.py``; the figures are in
``docs/configuration.md``). On the Standard quota (1,000 reads a day) that is 101 athletes;
the limit grows with the daily read limit.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

# Reads a connected athlete costs a day with streams on, everything included, measured on the
# club-week world: 4.26 without streams (bench/REPORT.md) + 0.46 new activities a day
# (bench/streams_cost.py: one streams read each).
READS_PER_ATHLETE_DAY = 4.72
# ... of the reads the periodic classes may spend (1 - the 20% daily reserve), auto keeps
# streams on only while the whole club's need stays within this share of them.
AUTO_SHARE = 0.6


class StreamsMode(StrEnum):
    AUTO = "auto"
    ON = "on"
    OFF = "off"


def max_auto_athletes(read_daily: int | None, *, reserve: float = 0.2) -> int | None:
    """The most connected athletes ``auto`` fetches streams for (None: no daily limit)."""
    if read_daily is None:
        return None
    return int(read_daily * (1 - reserve) * AUTO_SHARE / READS_PER_ATHLETE_DAY)


def streams_enabled(mode: StreamsMode, *, athletes: int, read_daily: int | None) -> bool:
    """The setting resolved: ``on``/``off`` as said, ``auto`` by the athlete count."""
    if mode is StreamsMode.ON:
        return True
    if mode is StreamsMode.OFF:
        return False
    limit = max_auto_athletes(read_daily)
    return limit is None or athletes <= limit


def streams_due(
    enabled: bool, *, stored_at: datetime | None, forced_since: datetime | None
) -> bool:
    """Fetch this activity's streams with its detail? Once (none stored yet), or again when a
    forced request started after they were stored."""
    if not enabled:
        return False
    if stored_at is None:
        return True
    return forced_since is not None and stored_at < forced_since
