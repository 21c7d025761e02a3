"""Activities rows made from summaries, as values the database driver takes as they are.

``apply_summaries`` writes every summary of every listing page. Through ``Connection.execute``,
SQLAlchemy runs each column's bind processor on each value of each row (JSON encoding, datetime
formatting, float coercion), which was most of the time of an ingest. Here a row is a tuple of
the values those processors would have produced, so SQLite stores the same text and PostgreSQL
the same values as the SQLAlchemy path, and it is written by one compiled upsert
(:class:`~stravasync.store.upsert.DriverUpsert`). Stored summaries are read as JSON text: on
SQLite, which keeps the text sent, an unchanged summary is then found without parsing any JSON.
"""

from __future__ import annotations

import functools
import json
import json.encoder
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Text, bindparam, cast, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import BindParameter

from stravasync.store.driver import IN_SIZES, bind_processor, padded, positional_sql
from stravasync.store.mirror.summaries import TYPED_COLUMNS, typed_values, utc_time, wall_time
from stravasync.store.schema import activities
from stravasync.store.upsert import driver_upsert

COLUMNS = (
    "id",
    "athlete_id",
    *TYPED_COLUMNS,
    "start_date",
    "start_date_local",
    "summary_json",
    "source",
    "first_seen",
    "last_confirmed",
    "deleted_at",
    "updated_at",
)
# A row seen again keeps the time it was first seen.
UPDATED_COLUMNS = tuple(c for c in COLUMNS if c not in ("id", "first_seen"))

Row = tuple[Any, ...]
RowMaker = Callable[[int, Mapping[str, Any], str], Row]


@dataclass(frozen=True, slots=True)
class JsonCodec:
    """The JSON functions SQLAlchemy uses on this dialect (``json.dumps`` unless configured)."""

    dumps: Callable[[Any], str]
    loads: Callable[[str], Any]
    # the column keeps the very text sent (SQLite); JSONB renders its own (key order, spacing)
    verbatim: bool


def json_codec(conn: Connection) -> JsonCodec:
    """The engine's ``json_serializer`` and ``json_deserializer``, as SQLAlchemy uses them."""
    dialect = conn.dialect
    dumps = getattr(dialect, "_json_serializer", None) or json.dumps
    return JsonCodec(
        dumps=_DEFAULT_DUMPS if dumps is json.dumps else dumps,
        loads=getattr(dialect, "_json_deserializer", None) or json.loads,
        verbatim=dialect.name == "sqlite",
    )


def _default_dumps() -> Callable[[Any], str]:
    """``json.dumps`` with its default arguments, but with its C encoder made once.

    ``json.dumps`` makes a new encoder for every call, about a tenth of the time of encoding a
    summary, and apply encodes every summary it is given. The text is ``json.dumps``'s to the
    byte (a test holds it so); without the C accelerator ``json.dumps`` itself is used. Not
    checking for circular references is safe for JSON that came from a parser.
    """
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:
        return json.dumps
    base = json.JSONEncoder()
    encode = make_encoder(
        None,  # no circular-reference markers
        base.default,
        json.encoder.encode_basestring_ascii,
        base.indent,
        base.key_separator,
        base.item_separator,
        base.sort_keys,
        base.skipkeys,
        base.allow_nan,
    )
    join = "".join

    def dumps(value: Any) -> str:
        return join(encode(value, 0))

    return dumps


_DEFAULT_DUMPS = _default_dumps()


# Strava's own time format. Its SQLite text is cut from the string itself (tests hold it equal
# to the general path's): parsing, converting and formatting datetimes was a tenth of a row.
_STRAVA_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)


def _strava_time_text(value: Any) -> str | None:
    """Strava's "2026-02-26T04:34:16Z" as SQLite DATETIME text, if ``value`` is a real one."""
    if not isinstance(value, str) or _STRAVA_TIME.fullmatch(value) is None:
        return None
    try:
        datetime.fromisoformat(value)  # the digits are a real date and time (no 31 April)
    except ValueError:
        return None
    return f"{value[:10]} {value[11:19]}.000000"


def _sqlite_utc(value: datetime | None) -> str | None:
    # UtcDateTime (naive UTC), then SQLite DATETIME's storage format, which always has microseconds
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_naive(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(" ", "microseconds")


def _sqlite_start_date(value: Any) -> str | None:
    text = _strava_time_text(value)
    return text if text is not None else _sqlite_utc(utc_time(value))


def _sqlite_start_date_local(value: Any) -> str | None:
    text = _strava_time_text(value)  # the "Z" of a local time is dropped, not applied
    return text if text is not None else _sqlite_naive(wall_time(value))


TimeParam = Callable[[Any], Any]


@functools.lru_cache(maxsize=16)
def _start_params(dialect: Dialect) -> tuple[TimeParam, TimeParam]:
    """Driver values of a summary's ``start_date`` and ``start_date_local`` JSON values.

    On SQLite, SQLAlchemy's processors format text in Python, several times slower than the
    functions above giving the same text; elsewhere they are used as they are.
    """
    if dialect.name == "sqlite":
        return _sqlite_start_date, _sqlite_start_date_local
    start = bind_processor(dialect, activities.c.start_date)
    local = bind_processor(dialect, activities.c.start_date_local)
    return (lambda value: start(utc_time(value))), (lambda value: local(wall_time(value)))


def row_maker(
    conn: Connection, athlete_id: int, *, source: str, now: datetime, last_confirmed: datetime
) -> RowMaker:
    """A function of (id, summary, its JSON text) to a row in ``COLUMNS`` order.

    What every row of one apply shares goes through SQLAlchemy's own processors, once.
    """
    col = activities.c
    athlete = bind_processor(conn.dialect, col.athlete_id)(athlete_id)
    tail = (
        bind_processor(conn.dialect, col.source)(source),
        bind_processor(conn.dialect, col.first_seen)(now),
        bind_processor(conn.dialect, col.last_confirmed)(last_confirmed),
        bind_processor(conn.dialect, col.deleted_at)(None),
        bind_processor(conn.dialect, col.updated_at)(now),
    )
    start_param, local_param = _start_params(conn.dialect)

    def make(activity_id: int, summary: Mapping[str, Any], text: str) -> Row:
        return (
            activity_id,
            athlete,
            *typed_values(summary),
            start_param(summary.get("start_date")),
            local_param(summary.get("start_date_local")),
            text,
            *tail,
        )

    return make


def write_rows(conn: Connection, rows: list[Row]) -> None:
    """Upsert rows made by :func:`row_maker`."""
    upsert = driver_upsert(conn, activities, COLUMNS, key=["id"], update=UPDATED_COLUMNS)
    upsert.run(conn, rows)


@functools.lru_cache(maxsize=32)
def _stored_sql(dialect: Dialect, size: int) -> str:
    col = activities.c
    ids: list[BindParameter[int]] = [bindparam(f"id_{i}") for i in range(size)]
    stmt = select(col.id, cast(col.summary_json, Text), col.deleted_at.is_not(None))
    return _sql(dialect, stmt.where(col.id.in_(ids)), [b.key for b in ids])


@functools.lru_cache(maxsize=32)
def _confirm_sql(dialect: Dialect, size: int) -> str:
    col = activities.c
    ids: list[BindParameter[int]] = [bindparam(f"id_{i}") for i in range(size)]
    confirmed = bindparam("confirmed", type_=col.last_confirmed.type)
    stmt = update(activities).where(col.id.in_(ids)).values(last_confirmed=confirmed)
    return _sql(dialect, stmt, [confirmed.key, *(b.key for b in ids)])


def _sql(dialect: Dialect, stmt: ClauseElement, binds: list[str]) -> str:
    sql, names = positional_sql(dialect, stmt)
    if list(names) != binds:
        raise ValueError(f"binds {names} are not in the order {binds}")
    return sql


def stored_summaries(conn: Connection, ids: list[int]) -> dict[int, tuple[str | None, bool]]:
    """By id: the stored summary as JSON text (unparsed: it is mostly only compared), tombstoned."""
    out: dict[int, tuple[str | None, bool]] = {}
    for start in range(0, len(ids), IN_SIZES[-1]):
        chunk = padded(ids[start : start + IN_SIZES[-1]])
        sql = _stored_sql(conn.dialect, len(chunk))
        for act_id, text, deleted in conn.exec_driver_sql(sql, tuple(chunk)):
            out[act_id] = (text, bool(deleted))
    return out


def confirm(conn: Connection, ids: list[int], now: datetime) -> None:
    """Set ``last_confirmed`` of rows listed again unchanged."""
    confirmed = bind_processor(conn.dialect, activities.c.last_confirmed)(now)
    for start in range(0, len(ids), IN_SIZES[-1]):
        chunk = padded(ids[start : start + IN_SIZES[-1]])
        conn.exec_driver_sql(_confirm_sql(conn.dialect, len(chunk)), (confirmed, *chunk))
