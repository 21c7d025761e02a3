"""When to read an athlete's gear, and which gear to read one by one. Pure.

Gear costs reads outside the activity listings, so it is read rarely and at the enrichment class:

- ``GET /athlete`` lists the current bikes and shoes (one read, with ``profile:read_all``): when
  they were never listed, when the last listing is older than ``refresh_every`` (a slow cadence,
  a week by default), and when an activity names a gear id we do not know (a new bike).
- ``GET /gear/{id}`` (one read each) for: a gear id an activity names that the listing did not
  hold (retired gear, or any gear when ``profile:read_all`` was not granted), listed gear never
  described (brand, model, description come only from it), and gear read this way whose last
  read is older than ``refresh_every``. At most ``limit`` per pass, unknown ids first.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class GearState:
    """One stored gear row, as far as the decisions need it."""

    retired: bool  # not (or no longer) in the athlete's list
    detailed: bool  # read by GET /gear/{id}
    named: bool  # Strava gave it a name (a 404 leaves it unnamed)
    refreshed_at: datetime


def list_due(
    *,
    can_list: bool,
    listed_at: datetime | None,
    known: Mapping[str, GearState],
    seen: Set[str],
    now: datetime,
    refresh_every: timedelta,
) -> bool:
    """Whether to read GET /athlete now (``can_list``: ``profile:read_all`` was granted)."""
    if not can_list:
        return False
    if listed_at is None or now - listed_at >= refresh_every:
        return True
    return not seen <= known.keys()


def to_fetch(
    *,
    known: Mapping[str, GearState],
    seen: Set[str],
    now: datetime,
    refresh_every: timedelta,
    limit: int,
) -> list[str]:
    """The gear ids to read by GET /gear/{id} now, in order, at most ``limit``."""
    unknown = sorted(seen - known.keys())
    undescribed = sorted(
        g for g, s in known.items() if s.named and not s.detailed and not s.retired
    )
    stale = sorted(
        g
        for g, s in known.items()
        if g in seen and (s.retired or not s.named) and now - s.refreshed_at >= refresh_every
    )
    return list(dict.fromkeys([*unknown, *undescribed, *stale]))[: max(0, limit)]
