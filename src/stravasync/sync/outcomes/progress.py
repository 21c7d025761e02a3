"""Progress of a run as plain values: the engine reports pages, the CLI renders them.

Pure: :class:`ProgressTally` adds up what the passes report (a page of ``n`` activities, an
activity exported or imported) and computes an ETA from the rate so far when a total is
known. Time comes in as an argument; nothing here prints or reads the clock.

A sync has no total of its own; a backfill may report a :class:`Goal` instead: the athlete's
activities listed so far and Strava's count of them (:mod:`stravasync.sync.strava_count`), a
lower bound. The total shown is then ``≥ max(bound, listed)`` and the ETA is also a lower
bound, at the run's listing rate; once the listing passes the bound nothing is known of what is
left, so no ETA is given (never a negative one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol


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
    done: int | None = None  # of ``total`` when it is not ``activities`` (a backfill's goal)
    at_least: bool = False  # ``total`` (and so the ETA) is a lower bound


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class Goal:
    """One athlete's backfill: activities listed so far and Strava's count, a lower bound."""

    listed: int
    at_least: int

    @property
    def total(self) -> int:
        """The bound, grown to what was listed once the listing passes it."""
        return max(self.listed, self.at_least)


class PageHook(Protocol):
    """What a pass calls after each applied page (the engine's progress reporter)."""

    def __call__(
        self, mode: str, athlete_id: int, activities: int, goal: Goal | None = None
    ) -> None: ...


def eta(done: int, total: int | None, elapsed_s: float) -> float | None:
    """Seconds left at the rate so far; None without a total or before anything is done."""
    if total is None or done <= 0 or elapsed_s <= 0:
        return None
    return max(0.0, (total - done) * elapsed_s / done)


def goal_eta(goal: Goal, run_done: int, elapsed_s: float) -> float | None:
    """Seconds until ``goal.at_least`` is listed, at the run's rate (``run_done`` activities in
    ``elapsed_s``): a lower bound. None before anything is done or once the bound is passed."""
    left = goal.at_least - goal.listed
    if left <= 0 or run_done <= 0 or elapsed_s <= 0:
        return None
    return left * elapsed_s / run_done


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
        goal: Goal | None = None,
    ) -> Progress:
        """One report; with a ``goal`` its total, done and ETA are the goal's."""
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
            total=self.total if goal is None else goal.total,
            elapsed_s=elapsed,
            eta_s=eta(done, self.total, elapsed)
            if goal is None
            else goal_eta(goal, self.activities, elapsed),
            done=None if goal is None else goal.listed,
            at_least=goal is not None,
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
) -> PageHook:
    """An engine ``on_page`` hook that tallies pages and hands each report to ``callback``."""
    tally = ProgressTally(started=monotonic())
    first_calls = calls()

    def on_page(mode: str, athlete_id: int, activities: int, goal: Goal | None = None) -> None:
        callback(
            tally.step(
                stage=mode,
                now=monotonic(),
                athlete_id=athlete_id,
                pages=1,
                activities=activities,
                api_calls=calls() - first_calls,
                requests_left=budget_left(),
                goal=goal,
            )
        )

    return on_page
