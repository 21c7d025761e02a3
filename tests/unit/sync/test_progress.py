"""Progress values: tallies, ETA, budget left, and the page hook the engine calls."""

from __future__ import annotations

from stravasync.cli.progress import describe, wanted
from stravasync.sync.outcomes.progress import (
    Goal,
    Progress,
    ProgressTally,
    eta,
    goal_eta,
    page_reporter,
    requests_left,
)


def test_tally_adds_pages_and_activities_and_estimates_with_a_total() -> None:
    tally = ProgressTally(started=100.0, total=1000)
    first = tally.step(stage="export", now=110.0, activities=250)
    assert (first.activities, first.elapsed_s, first.eta_s) == (250, 10.0, 30.0)
    second = tally.step(stage="export", now=120.0, pages=1, activities=250)
    assert (second.pages, second.activities, second.eta_s) == (1, 500, 20.0)
    assert eta(0, 10, 5.0) is None and eta(3, None, 5.0) is None


def test_requests_left_is_the_tightest_window() -> None:
    assert requests_left([(90, 100), (500, 1000)]) == 10
    assert requests_left([(120, 100)]) == 0  # over the limit: none left, not negative
    assert requests_left([]) is None


def test_page_reporter_reports_running_counts_calls_and_budget() -> None:
    seen: list[Progress] = []
    times = iter([0.0, 1.0, 2.5])
    calls = iter([7, 8, 10])  # 7 before the run
    hook = page_reporter(
        seen.append,
        monotonic=lambda: next(times),
        calls=lambda: next(calls),
        budget_left=lambda: 42,
    )
    hook("backfill", 5, 200)
    hook("backfill", 5, 37)
    assert [(p.pages, p.activities, p.api_calls) for p in seen] == [(1, 200, 1), (2, 237, 3)]
    assert seen[-1].requests_left == 42 and seen[-1].athlete_id == 5 and seen[-1].eta_s is None
    assert describe(seen[-1]) == (
        "backfill athlete 5: 2 page(s), 237 activities, 3 request(s), 42 left in the budget window"
    )


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_only_on_a_terminal_and_never_with_json() -> None:
    assert wanted(False, _Stream(True)) is True  # type: ignore[arg-type]
    assert wanted(True, _Stream(True)) is False  # type: ignore[arg-type]
    assert wanted(False, _Stream(False)) is False  # type: ignore[arg-type]


def test_a_goal_s_total_grows_to_what_was_listed_and_its_eta_is_a_lower_bound() -> None:
    tally = ProgressTally(started=0.0)  # a sync: no total of its own
    first = tally.step(stage="backfill", now=10.0, activities=200, goal=Goal(200, 1000))
    assert (first.done, first.total, first.at_least) == (200, 1000, True)
    assert first.eta_s == 40.0  # 800 left at 20 a second
    other = tally.step(stage="backfill", now=20.0, activities=200, goal=Goal(400, 1000))
    assert other.eta_s == 30.0 and other.activities == 400  # the run's rate: 400 in 20 s
    past = tally.step(stage="backfill", now=30.0, activities=200, goal=Goal(1100, 1000))
    assert (past.done, past.total, past.eta_s) == (1100, 1100, None)  # never negative
    plain = tally.step(stage="incremental", now=31.0, activities=3)
    assert (plain.total, plain.done, plain.at_least, plain.eta_s) == (None, None, False, None)
    assert goal_eta(Goal(0, 10), 0, 5.0) is None and goal_eta(Goal(5, 10), 5, 0.0) is None


def test_a_goal_is_drawn_as_at_least() -> None:
    p = Progress("backfill", 7, 2, 400, 3, 50, 1000, 20.0, 30.0, done=400, at_least=True)
    assert describe(p) == (
        "backfill athlete 7: 2 page(s), 400/≥1000 activities, 3 request(s),"
        " 50 left in the budget window, ETA ≥0m30s"
    )


def test_page_reporter_passes_a_goal_on() -> None:
    seen: list[Progress] = []
    times = iter([0.0, 4.0])
    hook = page_reporter(
        seen.append, monotonic=lambda: next(times), calls=lambda: 0, budget_left=lambda: None
    )
    hook("backfill", 5, 200, Goal(400, 600))
    assert (seen[0].done, seen[0].total, seen[0].eta_s) == (400, 600, 4.0)
