"""The values the ingest fast path hands the driver are those SQLAlchemy would have made."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from stravasync.store.driver import IN_SIZES, bind_processor, in_size, padded
from stravasync.store.mirror.summaries import (
    TYPED_COLUMNS,
    _typed,
    start_times,
    typed_values,
    utc_time,
    wall_time,
)
from stravasync.store.mirror.summary_rows import (
    _DEFAULT_DUMPS,
    _sqlite_naive,
    _sqlite_start_date,
    _sqlite_start_date_local,
    _sqlite_utc,
)
from stravasync.store.schema import activities

DIALECTS: list[Dialect] = [sqlite.dialect(), postgresql.psycopg.dialect()]
ODD_VALUES: list[Any] = [None, True, False, 0, 7, -3, 2**70, 1.5, -0.0, "", "x", [], {}, {"a": 1}]
TIMES = [
    datetime(2026, 3, 2, 6, 3, tzinfo=UTC),
    datetime(2026, 3, 2, 6, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
    datetime(999, 1, 1, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=timezone(timedelta(hours=2, minutes=30))),
]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _expected(column: str, value: Any) -> Any:
    """The rule per column type, spelled out the slow way."""
    kind = activities.c[column].type.python_type
    if kind is bool:
        return value if isinstance(value, bool) else None
    if kind is str:
        return value if isinstance(value, str) else None
    if kind is int:
        return int(value) if _number(value) else None
    return float(value) if _number(value) else None


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_every_typed_column_keeps_only_its_json_type(value: Any) -> None:
    raw = dict.fromkeys(TYPED_COLUMNS, value)
    got = dict(zip(TYPED_COLUMNS, typed_values(raw), strict=True))
    for column in TYPED_COLUMNS:
        assert got[column] == _expected(column, value), column
        assert type(got[column]) is type(_expected(column, value)), column


def test_typed_by_name_has_every_typed_column_and_the_start_times() -> None:
    raw = {"name": "Run", "distance": 5000, "start_date": "2026-02-26T04:34:16Z"}
    row = _typed(raw)
    assert set(row) == {*TYPED_COLUMNS, "start_date", "start_date_local"}
    assert row["distance"] == 5000.0 and isinstance(row["distance"], float)
    assert row["start_date"] == datetime(2026, 2, 26, 4, 34, 16, tzinfo=UTC)
    assert row["start_date_local"] is None


def test_start_times_are_utc_and_naive_local() -> None:
    start, local = start_times(
        {"start_date": "2026-02-26T05:34:16+01:00", "start_date_local": "2026-02-26T05:34:16Z"}
    )
    assert start == datetime(2026, 2, 26, 4, 34, 16, tzinfo=UTC) and start.tzinfo is UTC
    assert local == datetime(2026, 2, 26, 5, 34, 16) and local.tzinfo is None
    assert start_times({"start_date": "soon", "start_date_local": 3}) == (None, None)


@pytest.mark.parametrize("value", TIMES, ids=str)
def test_sqlite_datetime_text_is_sqlalchemys(value: datetime) -> None:
    dialect = sqlite.dialect()
    assert _sqlite_utc(value) == bind_processor(dialect, activities.c.start_date)(value)
    naive = value.replace(tzinfo=None)
    assert _sqlite_naive(naive) == bind_processor(dialect, activities.c.start_date_local)(naive)
    assert _sqlite_utc(None) is None and _sqlite_naive(None) is None


JSON_TIMES: list[Any] = [
    "2026-02-26T04:34:16Z",
    "1999-12-31T23:59:59Z",
    "2024-02-29T00:00:00Z",
    "2026-02-29T00:00:00Z",  # no such day
    "2026-04-31T10:00:00Z",
    "2026-02-26T24:00:00Z",
    "0000-01-01T00:00:00Z",
    "2026-W09-4T04:34:16Z",  # an ISO week date, as long as Strava's format
    "20260226T043416Z",
    "2026-02-26T04:34:16.5Z",
    "2026-02-26T05:34:16+01:00",
    "2026-02-26T04:34:16",
    "2026-02-26 04:34:16Z",
    "2026-02-26",
    "\uff12\uff10\uff12\uff16-02-26T04:34:16Z",  # full-width digits
    "",
    "not a date",
    None,
    1772080456,
]


@pytest.mark.parametrize("value", JSON_TIMES, ids=repr)
def test_sqlite_start_times_are_the_general_paths_text(value: Any) -> None:
    dialect = sqlite.dialect()
    start = bind_processor(dialect, activities.c.start_date)
    local = bind_processor(dialect, activities.c.start_date_local)
    assert _sqlite_start_date(value) == start(utc_time(value))
    assert _sqlite_start_date_local(value) == local(wall_time(value))


def test_a_naive_start_date_is_refused_as_utcdatetime_refuses_it() -> None:
    naive = datetime(2026, 3, 2, 6, 3)
    with pytest.raises(ValueError):
        bind_processor(sqlite.dialect(), activities.c.start_date)(naive)
    with pytest.raises(ValueError):
        _sqlite_utc(naive)


def test_default_dumps_is_json_dumps_to_the_byte() -> None:
    values: list[Any] = [
        {"name": 'Morning Run ☀ "quoted" \\ \n', "distance": 5832.5, "id": 2**63 + 1},
        {"map": {"summary_polyline": "u{~vFvyys@fS]", "resource_state": 2}, "latlng": []},
        {"nested": [{"a": [1, 2.25, None, True, False]}, {}], "e": 1e-7, "big": 1e300},
        {"nan": math.nan, "inf": -math.inf, "emoji": "🚴", "zero": -0.0},
        [1, "two", 3.0],
        "plain",
        None,
    ]
    for value in values:
        assert _DEFAULT_DUMPS(value) == json.dumps(value)
    with pytest.raises(TypeError):
        _DEFAULT_DUMPS({"when": datetime(2026, 1, 1)})


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_typed_values_need_no_bind_processing(dialect: Dialect) -> None:
    """What the driver is given as is equals what SQLAlchemy's processors would make of it.

    SQLite's Boolean processor makes 1/0 of True/False, which sqlite3 binds the same way.
    """
    samples = [dict.fromkeys(TYPED_COLUMNS, value) for value in ODD_VALUES]
    for raw in samples:
        for column, value in zip(TYPED_COLUMNS, typed_values(raw), strict=True):
            processed = bind_processor(dialect, activities.c[column])(value)
            assert processed == value, column
            if not isinstance(value, bool):
                assert type(processed) is type(value), column


def test_in_lists_are_padded_to_a_few_sizes() -> None:
    assert [in_size(n) for n in (1, 2, 8, 9, 200, 900)] == [1, 8, 8, 32, 256, 900]
    assert padded([5, 6, 7]) == [5, 6, 7, 5, 5, 5, 5, 5]
    assert padded([]) == []
    with pytest.raises(ValueError):
        in_size(IN_SIZES[-1] + 1)
