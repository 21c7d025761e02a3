"""Statements compiled once by SQLAlchemy and run straight through the DBAPI driver.

For the bulk paths (a listing page is 200 activities, a backfill is thousands of pages) SQLAlchemy's
per-execution work dominates: every bind processor on every value of every row, and an ``IN``
list expanded into its placeholders on every call. Here SQLAlchemy still writes the SQL (casts,
quoting, ``ON CONFLICT``), once per shape; the caller then passes tuples of values the driver
takes as they are, such as :func:`bind_processor` makes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_PYFORMAT_BIND = re.compile(r"%\((\w+)\)s")
# ``IN`` lists are padded to one of these lengths, so a few statements serve every call; the
# largest stays under SQLite's historic limit of 999 parameters.
IN_SIZES = (1, 8, 32, 128, 256, 512, 900)


def positional_sql(
    dialect: Dialect, stmt: ClauseElement, column_keys: Sequence[str] | None = None
) -> tuple[str, tuple[str, ...]]:
    """``stmt`` compiled for ``dialect`` with positional placeholders, and the bind names in order.

    psycopg's ``%(name)s`` become ``%s``, so that rows can be tuples as with SQLite's ``?``.
    """
    keys = list(column_keys) if column_keys is not None else None
    compiled = stmt.compile(dialect=dialect, column_keys=keys)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError(f"{type(stmt).__name__} is not a SQL statement")
    if dialect.positional and compiled.positiontup is not None:
        return compiled.string, tuple(compiled.positiontup)
    if dialect.paramstyle == "pyformat":
        names = tuple(_PYFORMAT_BIND.findall(compiled.string))
        return _PYFORMAT_BIND.sub("%s", compiled.string), names
    raise NotImplementedError(f"{dialect.name} with paramstyle {dialect.paramstyle}")


def in_size(count: int) -> int:
    """The padded length of an ``IN`` list of ``count`` values (at most ``IN_SIZES[-1]``)."""
    for size in IN_SIZES:
        if count <= size:
            return size
    raise ValueError(f"an IN list of {count} values is longer than {IN_SIZES[-1]}")


def padded(values: Sequence[Any]) -> list[Any]:
    """``values`` padded to :func:`in_size` by repeating the first (harmless inside ``IN``)."""
    out = list(values)
    out.extend(out[:1] * (in_size(len(out)) - len(out)))
    return out


def _same(value: Any) -> Any:
    return value


def bind_processor(dialect: Dialect, column: Column[Any]) -> Callable[[Any], Any]:
    """What SQLAlchemy makes of a value of ``column`` before the driver sees it, as a function."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _same
