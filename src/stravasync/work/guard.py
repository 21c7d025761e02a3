"""Keeping a run loop alive: what an unexpected failure is called, and how long to back off.

A unit of work that fails in a way nobody foresaw (a bug, an input out of range, a full disk)
must not stop the loop that runs it, nor leave its row leased. The unit's own handler records
:func:`describe` of the exception on the row, counts an attempt and releases the lease; the loop
logs what escaped the unit and, when every burst fails (the database is gone), waits
:func:`backoff_seconds` before the next one instead of spinning.
"""

from __future__ import annotations

from sqlalchemy.exc import StatementError

MAX_DESCRIPTION = 300


def describe(exc: BaseException) -> str:
    """One line naming an unexpected failure: ``internal error: Type: message``.

    SQLAlchemy errors carry the statement and its parameters in their text; only the driver's
    own message is kept, so no row value (a token, a description) reaches a log or a response.
    """
    inner: BaseException = exc
    if isinstance(exc, StatementError) and exc.orig is not None:
        inner = exc.orig
    text = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    name = type(inner).__name__
    line = f"internal error: {name}: {text}" if text else f"internal error: {name}"
    return line[:MAX_DESCRIPTION]


def backoff_seconds(failures: int, *, base: float = 1.0, cap: float = 60.0) -> float:
    """The wait after ``failures`` bursts in a row failed: 0 after none, then 1, 2, 4 … cap."""
    if failures <= 0:
        return 0.0
    return float(min(cap, base * 2 ** (failures - 1)))
