"""Export stage timings (pure, on a fake clock), the run's log line, the rows counter's total."""

from __future__ import annotations

from stravasync.cli.progress import RowCounter, describe
from stravasync.export.runs import describe as run_line
from stravasync.export.runs import mode_of
from stravasync.export.stopwatch import Stopwatch, split
from stravasync.sync.outcomes.progress import Progress


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_split_makes_write_the_rest_so_stages_add_up() -> None:
    assert split(10.0, {"query": 3.0, "views": 1.5}) == {"query": 3.0, "views": 1.5, "write": 5.5}
    # a timed "write" is not counted twice: write is always the remainder
    assert split(4.0, {"query": 1.0, "write": 9.0}) == {"query": 1.0, "write": 3.0}
    # measured stages beyond the elapsed time (clock jitter): write is 0, never negative
    assert split(1.0, {"query": 2.0}) == {"query": 2.0, "write": 0.0}
    assert split(2.0, {"query": 0.0}) == {"write": 2.0}  # an empty stage is left out


def test_iterate_counts_only_the_time_spent_producing_rows() -> None:
    clock = FakeClock()
    watch = Stopwatch(clock)

    def rows() -> object:
        for i in range(3):
            clock.t += 2.0  # the store takes 2 s per row
            yield i

    seen = []
    for row in watch.iterate("query", rows()):  # type: ignore[arg-type]
        clock.t += 1.0  # the writer takes 1 s per row
        seen.append(row)
    with watch.timed("views"):
        clock.t += 0.5
    assert seen == [0, 1, 2]
    assert watch.stage_seconds() == {"query": 6.0, "views": 0.5, "write": 3.0}
    assert watch.elapsed() == 9.5


def test_timed_counts_a_stage_that_raised() -> None:
    clock = FakeClock()
    watch = Stopwatch(clock)
    try:
        with watch.timed("query"):
            clock.t += 4.0
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert watch.spent == {"query": 4.0}


def test_run_line_and_mode() -> None:
    summary = {"seconds": 1.2, "rows": {"upserted": 40, "removed": 0}}
    assert (
        run_line("warehouse", "done", summary) == "warehouse done in 1.20 s: upserted 40, removed 0"
    )
    failed = {"seconds": 0.01, "error": "OSError: disk full"}
    assert run_line("export", "failed", failed) == "export failed in 0.01 s (OSError: disk full)"
    assert (mode_of("duckdb"), mode_of("parquet"), mode_of("jsonl")) == (
        "warehouse",
        "export",
        "export",
    )


def test_row_counter_shows_the_total_once_known() -> None:
    seen: list[Progress] = []
    rows = RowCounter(seen.append, "export", None)
    rows(2000)
    assert seen[-1].total is None and seen[-1].eta_s is None
    rows.set_total(5000)  # the warehouse learns its total after reading its watermark
    rows(2000)
    assert (seen[-1].pages, seen[-1].activities, seen[-1].total) == (2, 4000, 5000)
    assert describe(seen[-1]).startswith("export: 2 page(s), 4000/5000 activities")
