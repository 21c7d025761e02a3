"""When a stored DetailedActivity is stale and must be fetched again. Pure.

A DetailedActivity is a SummaryActivity plus what only the detail carries (Strava's models:
``description``, ``calories``, ``gear``, ``laps``, ``splits_metric`` / ``splits_standard``,
``segment_efforts``, ``best_efforts``, ``photos``, ``device_name``, ``embed_token``, the full
``map.polyline``). Strava sends no event for most changes of it, so a stored detail is checked
against what the mirror learns later:

1. **The summary changed in a way the detail reflects** (:func:`compare`): the newer summary
   differs from the stored detail's own copy of a summary field other than the counters below.
   Every such field signals a change of detail-only content:

   - the recording was cropped or corrected (``distance``, ``moving_time``, ``elapsed_time``,
     ``total_elevation_gain``, ``elev_high`` / ``elev_low``, ``start_date`` / ``_local``,
     ``timezone``, ``start_latlng`` / ``end_latlng``, ``map``, ``average_speed`` /
     ``max_speed``, ``average_watts`` / ``weighted_average_watts`` / ``max_watts``,
     ``kilojoules``, ``device_watts``): laps, splits, efforts, best efforts and the polyline
     are recomputed;
   - the athlete used the edit page (``name``, ``sport_type`` / ``type``, ``workout_type``,
     ``gear_id``, ``commute``, ``trainer``, ``hide_from_home``, ``private`` / ``visibility``):
     the same form edits the description, the private note and perceived exertion, which no
     summary shows; a type change also changes splits and best efforts (runs only);
   - segment results were recomputed (``achievement_count``, ``pr_count``, ``flagged``):
     the efforts' ``pr_rank`` / achievements; photos were added (``photo_count``,
     ``total_photo_count``): ``photos``.

   A field Strava adds later counts as relevant too (unknown means re-fetch). The counters
   that change all day without any edit (``kudos_count``, ``comment_count``, ``athlete_count``,
   ``has_kudoed``, :data:`ALIGNED_FIELDS`) are a number and nothing more in a detail too:
   they are copied into the stored detail (seed 004's "details never lag the list": the kudos
   count is aligned between list and detail) and never cost a request.
2. **The detail was fetched before the activity settled** (:func:`unsettled`): athletes edit
   the description (silent: no event, no summary field) mostly within hours of the upload.
   A detail fetched less than ``settle`` after the activity ended is fetched once more when
   that time has passed; at most one extra request per recent activity, which the default
   quota affords (see README, ``STRAVASYNC_SYNC_ENRICH_SETTLE_HOURS``).
3. **Someone asked** (:func:`detail_need` with ``forced_since``): ``sync --mode enrich
   --activity-id`` / ``--force`` fetch whatever was not fetched since the request.

A webhook update event names an activity: its handler GETs the detail and stores it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from stravasync.store.mirror.summaries import summary_of

ALIGNED_FIELDS = frozenset({"kudos_count", "comment_count", "athlete_count", "has_kudoed"})
# identity and representation, not content
IGNORED_FIELDS = frozenset({"id", "resource_state", "athlete", "upload_id", "upload_id_str"})


class DetailNeed(enum.StrEnum):
    MISSING = "missing"
    SUMMARY_CHANGED = "summary_changed"
    UNSETTLED = "unsettled"
    REQUESTED = "requested"


@dataclass(frozen=True, slots=True)
class DetailCheck:
    """A newer summary against a stored detail: fields that make it stale, counters to copy."""

    stale_fields: frozenset[str]
    align: dict[str, Any] = field(default_factory=dict)

    @property
    def stale(self) -> bool:
        return bool(self.stale_fields)


def compare(summary: Mapping[str, Any], detail: Mapping[str, Any]) -> DetailCheck:
    """Check a stored detail against a summary seen later (fields both carry)."""
    mine = summary_of(detail)
    stale: set[str] = set()
    align: dict[str, Any] = {}
    for key, value in summary.items():
        if key in IGNORED_FIELDS or key not in mine or mine[key] == value:
            continue  # a field the stored detail lacks cannot be compared (nor fixed by a GET)
        if key in ALIGNED_FIELDS:
            align[key] = value
        else:
            stale.add(key)
    return DetailCheck(frozenset(stale), align)


@dataclass(frozen=True, slots=True)
class DetailState:
    """What the store knows of one activity's detail (``activities`` columns)."""

    start: datetime | None
    elapsed_s: int | None
    fetched_at: datetime | None
    stale_at: datetime | None


def unsettled(state: DetailState, now: datetime, settle: timedelta) -> bool:
    """Fetched before ``settle`` had passed since the activity ended, and it has passed now."""
    if state.fetched_at is None or state.start is None or settle <= timedelta(0):
        return False
    settled = state.start + timedelta(seconds=max(0, state.elapsed_s or 0)) + settle
    return state.fetched_at < settled <= now


def detail_need(
    state: DetailState,
    now: datetime,
    *,
    settle: timedelta,
    forced_since: datetime | None = None,
) -> DetailNeed | None:
    """Why this activity's detail must be fetched now; None when the stored one is current.

    ``forced_since``: a request made then fetches every detail not fetched since.
    """
    if state.fetched_at is None:
        return DetailNeed.MISSING
    if forced_since is not None and state.fetched_at < forced_since:
        return DetailNeed.REQUESTED
    if state.stale_at is not None:
        return DetailNeed.SUMMARY_CHANGED
    if unsettled(state, now, settle):
        return DetailNeed.UNSETTLED
    return None
