"""Pure pagination cursors for the listing modes; each is JSON-able for checkpoints.

Strava lists activities by start time: newest first by default, oldest first when ``after`` is
given. Pages may hold fewer items than asked, so a listing is complete only at an empty page.
Both cursors are keyset cursors (a start time, not a page number), so an activity deleted or
uploaded late in the middle of a pass cannot shift an unseen item past us. Activities sharing
the boundary second are listed twice rather than missed (upserts are idempotent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from stravasync.store.activities import start_epoch


def _starts(items: Sequence[Mapping[str, Any]]) -> list[int]:
    return [s for s in (start_epoch(i) for i in items) if s is not None]


@dataclass(frozen=True, slots=True)
class BackwardCursor:
    """Backfill: the newest page first, then ``before`` = the oldest start seen so far."""

    before: int | None = None
    pages: int = 0
    done: bool = False
    newest: int | None = None

    def request(self) -> dict[str, int]:
        return {} if self.before is None else {"before": self.before}

    def advance(self, items: Sequence[Mapping[str, Any]]) -> BackwardCursor:
        starts = _starts(items)
        if not items or not starts:
            return replace(self, pages=self.pages + 1, done=True)
        oldest = min(starts)
        # +1 re-lists the items sharing the oldest second (a tie split across pages), unless
        # that would not move the cursor at all.
        nxt = oldest + 1 if self.before is None or oldest + 1 < self.before else oldest
        newest = max(starts) if self.newest is None else max(self.newest, max(starts))
        return BackwardCursor(before=nxt, pages=self.pages + 1, done=False, newest=newest)


@dataclass(frozen=True, slots=True)
class ForwardCursor:
    """Incremental, refresh and reconcile: ascending ``after`` pages until an empty one.

    ``started_at`` (epoch) is when the pass began: a row of the swept range that was not
    confirmed by a listing since then is missing from Strava's answer.
    """

    after: int
    window_after: int
    started_at: int
    sweep: bool
    pages: int = 0
    done: bool = False
    newest: int | None = None

    def request(self) -> dict[str, int]:
        return {"after": self.after}

    def advance(self, items: Sequence[Mapping[str, Any]]) -> ForwardCursor:
        starts = _starts(items)
        if not items or not starts:
            return replace(self, pages=self.pages + 1, done=True)
        latest = max(starts)
        nxt = latest - 1 if latest - 1 > self.after else latest
        newest = latest if self.newest is None else max(self.newest, latest)
        return replace(self, after=nxt, pages=self.pages + 1, newest=newest)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ForwardCursor:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
