"""Rich progress for long commands, on a terminal only: quiet under ``--json`` or a pipe.

The engine, exporter and importer report :class:`stravasync.sync.outcomes.progress.Progress` values;
this module only draws them (one live line on stderr's console, removed at the end).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.progress import Progress as Bar
from rich.progress import TextColumn

if TYPE_CHECKING:  # the CLI imports no engine before a command needs it
    from stravasync.sync.outcomes.progress import Progress, ProgressCallback


def wanted(as_json: bool, stream: TextIO | None = None) -> bool:
    """Progress is drawn when stdout is a terminal and the output is not JSON (on stderr,
    so it never mixes with what a command writes to stdout)."""
    out = stream if stream is not None else sys.stdout
    return not as_json and out.isatty() and (stream is not None or sys.stderr.isatty())


def describe(p: Progress) -> str:
    """The line shown for one report."""
    who = f" athlete {p.athlete_id}" if p.athlete_id is not None else ""
    parts = [f"{p.stage}{who}:", f"{p.pages} page(s)", f"{p.activities} activities"]
    if p.total is not None:
        done = p.activities if p.done is None else p.done
        parts[-1] = f"{done}/{'≥' if p.at_least else ''}{p.total} activities"
    if p.api_calls:
        parts.append(f"{p.api_calls} request(s)")
    if p.requests_left is not None:
        parts.append(f"{p.requests_left} left in the budget window")
    if p.eta_s is not None:
        minutes, seconds = divmod(int(p.eta_s + 0.5), 60)
        parts.append(f"ETA {'≥' if p.at_least else ''}{minutes}m{seconds:02d}s")
    return " ".join(parts[:1]) + " " + ", ".join(parts[1:])


@contextmanager
def live(as_json: bool) -> Iterator[ProgressCallback | None]:
    """A callback drawing progress, or None when progress is not wanted."""
    if not wanted(as_json):
        yield None
        return
    with Bar(TextColumn("{task.description}"), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting…", total=None)

        def show(p: Progress) -> None:
            bar.update(task, description=describe(p), refresh=True)

        yield show


class RowCounter:
    """A ``rows done`` hook (exporter, importer) feeding ``show``, with a total set up front or
    once known (:meth:`set_total`: the warehouse counts its rows after reading its mark)."""

    def __init__(self, show: ProgressCallback, stage: str, total: int | None) -> None:
        from stravasync.sync.outcomes.progress import ProgressTally

        self._show, self._stage = show, stage
        self._tally = ProgressTally(started=time.monotonic(), total=total)

    def set_total(self, total: int) -> None:
        self._tally.total = total

    def __call__(self, rows: int) -> None:
        self._show(
            self._tally.step(stage=self._stage, now=time.monotonic(), pages=1, activities=rows)
        )


def counter(
    show: ProgressCallback | None, stage: str, total: int | None = None
) -> RowCounter | None:
    """A :class:`RowCounter`, or None without progress."""
    if show is None:
        return None
    return RowCounter(show, stage, total)
