"""Export and warehouse runs as session rows, with their stage timings.

A run (``stravasync export``, the scheduled ``warehouse_refresh`` or the daily flow's refresh)
is one ``sync_sessions`` row without an athlete: ``mode`` ``export`` (jsonl, csv, parquet) or
``warehouse`` (duckdb), ``trigger`` ``cli`` or ``schedule``, a summary with the rows written
and ``stage_seconds`` (``query``, ``write``, ``views``; see :mod:`stravasync.export.stopwatch`)
that ``/metrics`` (``stravasync_sync_stage_seconds``) and the dashboard read like a pass's.

The row is written once, when the run ends (done or failed), in its own short transaction: an
export reads from a snapshot and must not hold the write lock, and a run killed halfway
leaves no ``running`` row behind (nothing would close it: no athlete's lease covers it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from stravasync.export.stopwatch import Stopwatch
from stravasync.store.database import Database
from stravasync.store.pending import sessions as sessions_q

log = logging.getLogger(__name__)

MODES = ("export", "warehouse")
DONE, FAILED = "done", "failed"


def mode_of(fmt: str) -> str:
    return "warehouse" if fmt == "duckdb" else "export"


def describe(mode: str, status: str, summary: dict[str, Any]) -> str:
    """The run's log line, e.g. ``warehouse done in 1.20 s: upserted 40, removed 0``."""
    rows = summary.get("rows") or {}
    counts = ", ".join(f"{k} {v}" for k, v in rows.items() if not isinstance(v, bool))
    text = f"{mode} {status} in {float(summary.get('seconds', 0.0)):.2f} s"
    if counts:
        text += f": {counts}"
    if status == FAILED and summary.get("error"):
        text += f" ({summary['error']})"
    return text


def record_run(
    db: Database,
    *,
    mode: str,
    trigger: str,
    status: str,
    started_at: datetime,
    finished_at: datetime,
    summary: dict[str, Any],
) -> str:
    """Write the finished run's session row and its log line; returns the session id."""
    with db.transaction() as conn:
        sid = sessions_q.start_session(
            conn, athlete_id=None, mode=mode, trigger=trigger, now=started_at
        )
        sessions_q.add_log(
            conn,
            sid,
            level="error" if status == FAILED else "info",
            message=describe(mode, status, summary),
            now=finished_at,
        )
        sessions_q.finish_session(
            conn, sid, status=status, now=finished_at, api_calls=0, summary=summary
        )
    return sid


@contextmanager
def recorded(
    db: Database,
    *,
    mode: str,
    trigger: str,
    now: Callable[[], datetime],
    summary: dict[str, Any],
    monotonic: Callable[[], float] = time.monotonic,
) -> Iterator[Stopwatch]:
    """Time the block's stages and record it as a session when it ends.

    The caller fills ``summary`` (``rows``, ``format``...); ``seconds`` and ``stage_seconds``
    are added here, and ``error`` when the block raised (the exception goes on). A failure to
    write the row is logged, never raised over the run's own result."""
    watch = Stopwatch(monotonic)
    started = now()
    status = FAILED
    try:
        yield watch
        status = DONE
    except Exception as exc:
        summary["error"] = f"{type(exc).__name__}: {exc}"[:300]
        raise
    finally:
        summary["seconds"] = round(watch.elapsed(), 4)
        summary["stage_seconds"] = watch.stage_seconds()
        try:
            record_run(
                db,
                mode=mode,
                trigger=trigger,
                status=status,
                started_at=started,
                finished_at=now(),
                summary=summary,
            )
        except Exception:  # the run's outcome matters more than its record
            log.warning("could not record the %s run", mode, exc_info=True)
