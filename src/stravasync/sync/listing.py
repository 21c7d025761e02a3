"""The state of one incremental / refresh / reconcile pass, kept as its checkpoint.

Paging itself is :class:`stravasync.strava.pagination.ForwardCursor` (keyset on start time, in
whichever order Strava lists under ``after``, complete at an empty page). A pass adds what it
needs to find deletions: ``started_at`` (a row of the swept range not confirmed by a listing
since then is missing from Strava's answer) and the range it sweeps.

``short_page_ends``: a refresh (the recent-window safety net) and a backfill may take a short
page as the end of the listing instead of paying one more request for the empty page, when the
athlete granted ``activity:read_all``. Strava documents that pages may be short before the end;
the cause observed (and simulated) is private activities filtered out after paging, which cannot
happen with read_all. Should a short page still not be the end, nothing is lost: for a refresh
the rows it did not show are unconfirmed, so the sweep GETs each one (tombstoned only on 404,
refreshed otherwise); for both, the next reconcile (never short-cut) walks every page to the
empty one and lists whatever an early end left out. A backfill saves one read per athlete
this way (most histories fit in their first page).

The reconcile keeps paging to the empty page: it is the proof that nothing was missed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from stravasync.strava.client import MAX_PER_PAGE
from stravasync.strava.models import SummaryActivity
from stravasync.strava.pagination import ForwardCursor, start_epoch


def newest_start(items: Sequence[SummaryActivity], newest: int | None) -> int | None:
    """The latest start time among ``items`` and ``newest``."""
    starts = [s for s in (start_epoch(a) for a in items) if s is not None]
    if not starts:
        return newest
    return max(starts) if newest is None else max(newest, max(starts))


def short_page_ends(
    items: Sequence[SummaryActivity], read_all: bool, per_page: int = MAX_PER_PAGE
) -> bool:
    """Whether this page ends the listing although it is not empty (see the module docstring)."""
    return read_all and 0 < len(items) < per_page


@dataclass(frozen=True, slots=True)
class ListingPass:
    cursor: ForwardCursor
    window_after: int
    started_at: int
    sweep: bool
    newest: int | None = None
    pages: int = 0
    short_page_ends: bool = False

    @classmethod
    def start(
        cls, after: int, started_at: int, *, sweep: bool, short_page_ends: bool = False
    ) -> ListingPass:
        return cls(ForwardCursor(after), after, started_at, sweep, short_page_ends=short_page_ends)

    @property
    def done(self) -> bool:
        return self.cursor.done

    def advance(
        self, items: Sequence[SummaryActivity], per_page: int = MAX_PER_PAGE
    ) -> ListingPass:
        cursor = self.cursor.advance(items, per_page)
        if short_page_ends(items, self.short_page_ends, per_page):
            cursor = replace(cursor, done=True)
        return replace(
            self,
            cursor=cursor,
            newest=newest_start(items, self.newest),
            pages=self.pages + 1,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "cursor": self.cursor.to_json(),
            "window_after": self.window_after,
            "started_at": self.started_at,
            "sweep": self.sweep,
            "newest": self.newest,
            "pages": self.pages,
            "short_page_ends": self.short_page_ends,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ListingPass:
        return cls(
            cursor=ForwardCursor.from_json(data["cursor"]),
            window_after=int(data["window_after"]),
            started_at=int(data["started_at"]),
            sweep=bool(data["sweep"]),
            newest=data.get("newest"),
            pages=int(data.get("pages", 0)),
            short_page_ends=bool(data.get("short_page_ends", False)),
        )
