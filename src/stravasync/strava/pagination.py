"""Listing pagination done right, as pure cursors a caller persists and resumes from.

- Backfill (:class:`BackwardCursor`): newest page first, then ``before`` = the oldest start seen
  (+1 s after a full page, so activities sharing that second are listed again rather than
  missed; a short page cannot have split them, and re-listing would cost a request per pass).
- Incremental (:class:`ForwardCursor`): ascending pages under ``after`` = the newest start seen
  (-1 s after a full page, same reason); Strava lists oldest first when ``after`` is given.
- A listing is complete only at an EMPTY page: pages may hold fewer items than asked.
- Keyset cursors (a start time, not a page number), so a deletion or late upload in the middle
  of a pass cannot shift an unseen item past the cursor. If a whole page shares one second the
  cursor cannot move; then it pages (``page`` + 1) within that second.

``to_json`` / ``from_json`` give the checkpoint to store; :func:`walk` drives a client.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from stravasync.clock import to_epoch
from stravasync.strava.client import StravaClient
from stravasync.strava.models import ActivityPage, SummaryActivity
from stravasync.strava.ratelimit import Priority


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


@dataclass(frozen=True, slots=True)
class ForwardCursor:
    after: int
    page: int = 1
    done: bool = False

    def request(self) -> dict[str, int]:
        return {"after": self.after, "page": self.page}

    def advance(self, items: Sequence[SummaryActivity], per_page: int = 200) -> ForwardCursor:
        starts = _starts(items)
        if not starts:
            return ForwardCursor(self.after, self.page, done=True)
        # Only a full page can have split a second's activities with the next page.
        nxt = max(starts) - (1 if len(items) >= per_page else 0)
        if nxt <= self.after:  # a page within one second
            return ForwardCursor(self.after, self.page + 1)
        return ForwardCursor(nxt, 1)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ForwardCursor:
        return cls(int(data["after"]), int(data.get("page", 1)), bool(data.get("done", False)))


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
