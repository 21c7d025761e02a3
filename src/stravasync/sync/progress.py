"""Progress of a run as plain values: the engine reports pages, the CLI renders them.

Pure: :class:`ProgressTally` adds up what the passes report (a page of ``n`` activities, an
activity exported or imported) and computes an ETA from the rate so far when a total is
known. Time comes in as an argument; nothing here prints or reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Progress:
    """One report: counts so far, the budget's requests left, the ETA (None when unknown)."""

    stage: str  # e.g. "backfill", "incremental", "export", "import"
    athlete_id: int | None
    pages: int
    activities: int
    api_calls: int
    requests_left: int | None
    total: int | None
    elapsed_s: float
    eta_s: float | None


ProgressCallback = Callable[[Progress], None]


def eta(done: int, total: int | None, elapsed_s: float) -> float | None:
    """Seconds left at the rate so far; None without a total or before anything is done."""
    if total is None or done <= 0 or elapsed_s <= 0:
        return None
    return max(0.0, (total - done) * elapsed_s / done)


@dataclass(slots=True)
class ProgressTally:
    """Running counts of one run; :meth:`step` returns the report to hand to a callback."""

    started: float
    total: int | None = None
    pages: int = 0
    activities: int = 0
    last: Progress | None = field(default=None)

    def step(
        self,
        *,
        stage: str,
        now: float,
        athlete_id: int | None = None,
        pages: int = 0,
        activities: int = 0,
        api_calls: int = 0,
        requests_left: int | None = None,
    ) -> Progress:
        self.pages += pages
        self.activities += activities
        elapsed = max(0.0, now - self.started)
        done = self.activities if self.total is not None else 0
        report = Progress(
            stage=stage,
            athlete_id=athlete_id,
            pages=self.pages,
            activities=self.activities,
            api_calls=api_calls,
            requests_left=requests_left,
            total=self.total,
            elapsed_s=elapsed,
            eta_s=eta(done, self.total, elapsed),
        )
        self.last = report
        return report

    def with_total(self, total: int | None) -> ProgressTally:
        return replace(self, total=total)


def requests_left(counters: list[tuple[int, int]]) -> int | None:
    """Requests left before the tightest budget window fills: min(limit - used), or None."""
    return min((max(0, limit - used) for used, limit in counters), default=None)


def page_reporter(
    callback: ProgressCallback,
    *,
    monotonic: Callable[[], float],
    calls: Callable[[], int],
    budget_left: Callable[[], int | None],
) -> Callable[[str, int, int], None]:
    """An engine ``on_page`` hook that tallies pages and hands each report to ``callback``."""
    tally = ProgressTally(started=monotonic())
    first_calls = calls()

    def on_page(mode: str, athlete_id: int, activities: int) -> None:
        callback(
            tally.step(
                stage=mode,
                now=monotonic(),
                athlete_id=athlete_id,
                pages=1,
                activities=activities,
                api_calls=calls() - first_calls,
                requests_left=budget_left(),
            )
        )

    return on_page
