"""Listing pagination done right, as pure cursors a caller persists and resumes from.

- Backfill (:class:`BackwardCursor`): newest page first, then ``before`` = the oldest start seen
  (+1 s after a full page, so activities sharing that second are listed again rather than
  missed; a short page cannot have split them, and re-listing would cost a request per pass).
- Incremental (:class:`ForwardCursor`): everything started after ``after``, whatever order
  Strava lists it in. Client libraries observed oldest first under ``after`` alone (then
  ``after`` moves up to the newest start seen, -1 s after a full page, same reason); that order
  is not documented, and with ``before`` too Strava lists newest first (recorded 2025). So the
  order is read from each page: newest first moves a ``before`` down instead, ``after`` staying
  put; a page that shows no order (one item, one second) is followed by the next page number
  under the same bounds, which is right in either order.
- A listing is complete only at an EMPTY page: pages may hold fewer items than asked.
- Keyset cursors (a start time, not a page number), so a deletion or late upload in the middle
  of a pass cannot shift an unseen item past the cursor. If a whole page shares one second the
  cursor cannot move; then it pages (``page`` + 1) within that second.

``to_json`` / ``from_json`` give the checkpoint to store; :func:`walk` drives a client.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from stravasync.clock import to_epoch
from stravasync.strava.client import StravaClient
from stravasync.strava.models import ActivityPage, SummaryActivity
from stravasync.strava.quota.ratelimit import Priority


def start_epoch(activity: SummaryActivity) -> int | None:
    if not activity.start_date:
        return None
    try:
        return to_epoch(datetime.fromisoformat(activity.start_date.replace("Z", "+00:00")))
    except ValueError:
        return None


def _starts(items: Sequence[SummaryActivity]) -> list[int]:
    return [s for s in (start_epoch(a) for a in items) if s is not None]


@dataclass(frozen=True, slots=True)
class BackwardCursor:
    before: int | None = None
    page: int = 1
    done: bool = False

    def request(self) -> dict[str, int]:
        params = {"page": self.page}
        if self.before is not None:
            params["before"] = self.before
        return params

    def advance(self, items: Sequence[SummaryActivity], per_page: int = 200) -> BackwardCursor:
        starts = _starts(items)
        if not starts:
            return BackwardCursor(self.before, self.page, done=True)
        # Only a full page can have split a second's activities with the next page.
        nxt = min(starts) + (1 if len(items) >= per_page else 0)
        if self.before is not None and nxt >= self.before:  # a page within one second
            return BackwardCursor(self.before, self.page + 1)
        return BackwardCursor(nxt, 1)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BackwardCursor:
        return cls(data.get("before"), int(data.get("page", 1)), bool(data.get("done", False)))


def listed_order(starts: Sequence[int]) -> str | None:
    """``asc`` or ``desc`` as a page's start times run, None when they cannot tell."""
    if len(starts) < 2 or starts[0] == starts[-1]:
        return None
    return "asc" if starts[0] < starts[-1] else "desc"


@dataclass(frozen=True, slots=True)
class ForwardCursor:
    """Activities with ``after < start`` (and ``< before`` once set), in any listing order.

    ``order`` is what the pages under the current bounds showed (``asc``, ``desc`` or None).
    """

    after: int
    page: int = 1
    done: bool = False
    before: int | None = None
    order: str | None = None

    def request(self) -> dict[str, int]:
        params = {"after": self.after, "page": self.page}
        if self.before is not None:
            params["before"] = self.before
        return params

    def advance(self, items: Sequence[SummaryActivity], per_page: int = 200) -> ForwardCursor:
        starts = _starts(items)
        if not starts:
            return replace(self, done=True)
        order = listed_order(starts) or self.order
        # Only a full page can have split a second's activities with the next page.
        full = len(items) >= per_page
        if order == "desc":  # newest first: the rest lies below the oldest start seen
            nxt = min(starts) + (1 if full else 0)
            if self.before is not None and nxt >= self.before:  # a page within one second
                return replace(self, page=self.page + 1, order=order)
            # adding ``before`` changes the request, whose order is then learnt anew
            kept = order if self.before is not None else None
            return ForwardCursor(self.after, 1, before=nxt, order=kept)
        if order == "asc":  # oldest first: the rest lies above the newest start seen
            nxt = max(starts) - (1 if full else 0)
            if nxt <= self.after:  # a page within one second
                return replace(self, page=self.page + 1, order=order)
            return ForwardCursor(nxt, 1, before=self.before, order=order)
        return replace(self, page=self.page + 1)  # no order shown: same bounds, next page

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ForwardCursor:
        before = data.get("before")
        order = data.get("order")
        return cls(
            int(data["after"]),
            int(data.get("page", 1)),
            bool(data.get("done", False)),
            int(before) if before is not None else None,
            order if order in ("asc", "desc") else None,
        )


Cursor = BackwardCursor | ForwardCursor


def walk(
    client: StravaClient, access_token: str, cursor: Cursor, *, priority: Priority
) -> Iterator[tuple[ActivityPage, Cursor]]:
    """Pages from ``cursor`` on, each with the cursor to persist after storing it.

    Stops after the empty page. Client errors (e.g. BudgetExhausted) propagate; resume from
    the last cursor persisted.
    """
    while not cursor.done:
        page = client.list_activities(access_token, priority=priority, **cursor.request())
        cursor = cursor.advance(page.activities)
        yield page, cursor
