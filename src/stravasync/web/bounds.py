"""Bounds on everything a request may carry: ids, dates, text and list lengths.

One annotated type per kind of value, shared by path, query and body parameters, so a new
route gets the same limits by naming the type. A value outside its bounds is a 422 Problem
before any handler or query runs (nothing from outside reaches the database unchecked).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

INT64_MAX = 2**63 - 1
"""Strava's ids are signed 64-bit integers; so are our row ids (BIGINT on PostgreSQL)."""
INT64_END = 2**63
"""Bounds are written ``lt=INT64_END``: the OpenAPI document carries numbers as floats, and
2^63 is exact as a float where 2^63-1 is not (it would round up to 2^63)."""

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""Dates a query may name: wide enough for any imported history, far from the calendar's ends
(``0001-01-01T00:00+14:00`` is before year 1 in UTC and cannot be converted)."""

MAX_LIST = 1000
"""Items in any list of a request body."""

StravaId = Annotated[int, Field(ge=1, lt=INT64_END, description="a Strava id (1 .. 2^63-1)")]
"""An athlete or activity id as Strava issues them."""

RowId = Annotated[int, Field(ge=1, lt=INT64_END, description="a row id (1 .. 2^63-1)")]
"""A row id of ours (a job, a webhook event, a notification)."""

Cursor = Annotated[int, Field(ge=0, lt=INT64_END, description="0, or an id returned earlier")]
"""A paging cursor: an id seen on the previous page, 0 to start."""


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


NoNul = AfterValidator(_no_nul)
"""Refuses NUL in a string: PostgreSQL cannot store it, and no legitimate value has one."""

Name = Annotated[str, Field(min_length=1, max_length=128), NoNul]
"""A short name or key from a request (a job name, a session id, a sport)."""


def _in_range(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a date needs a timezone (e.g. Z or +02:00)")
    if not EARLIEST <= value <= LATEST:
        raise ValueError(
            f"a date must be between {EARLIEST.date().isoformat()} and "
            f"{LATEST.date().isoformat()} (UTC)"
        )
    return value.astimezone(UTC)


BoundedDatetime = Annotated[
    datetime,
    AfterValidator(_in_range),
    Field(description="ISO 8601 with a timezone, between 1900-01-01 and 2200-01-01 UTC"),
]
"""A date from a request: timezone required, within [EARLIEST, LATEST], returned in UTC."""
