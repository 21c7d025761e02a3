"""The quota benchmarks' pure figures: optimum formulas, spending per class, growth ratios."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.backfill import optimum_figures, reads_to_end
from bench.classes import per_day
from bench.scale import full_scans, growth

START = int(datetime(2026, 3, 2, 6, 0, tzinfo=UTC).timestamp())  # on a quarter hour


def test_a_short_page_ends_a_history_unless_the_last_page_is_full() -> None:
    assert reads_to_end([0, 150, 200, 450]) == 1 + 1 + 2 + 3


def test_old_and_new_optimum_with_and_without_counted_token_exchanges() -> None:
    sizes = [150, 450, 0]  # 1 + 3 + 1 pages
    counted = optimum_figures(sizes, start=START, r15=3, rday=1000, token_requests_counted=True)
    assert counted["total_pages"] == 5
    assert counted["token_exchanges_counted"] == 3
    assert counted["optimum_windows"] == 3  # 5 pages + 3 exchanges at 3 a window
    assert counted["optimum_windows_old"] == 4  # + 3 empty pages
    assert counted["optimum_windows_issue_formula"] == 3
    assert counted["newest_page_bound_windows"] == 2
    free = optimum_figures(sizes, start=START, r15=3, rday=1000, token_requests_counted=False)
    assert (free["optimum_windows"], free["optimum_windows_old"]) == (2, 3)
    assert free["newest_page_bound_windows"] == 1


def test_the_daily_limit_moves_the_optimum_past_midnight() -> None:
    late = START + 17 * 3600 + 30 * 60  # 23:30 UTC: two quarter hours before the reset
    figures = optimum_figures([1000], start=late, r15=3, rday=4, token_requests_counted=False)
    # 5 pages, 4 a day: 2 windows of the first day (3 + 1), then 1 after midnight
    assert figures["optimum_windows"] == 3


def test_spending_per_class_is_split_by_utc_day() -> None:
    midnight = START + 18 * 3600
    rows = [(midnight - 10, "enrich"), (midnight - 5, "webhook"), (midnight + 1, "enrich")]
    rows.append((midnight + 2, "interactive"))
    days = per_day(rows, 100)
    assert [d["day"] for d in days] == ["2026-03-02", "2026-03-03"]
    assert days[0]["reads"]["enrich"] == 1 and days[0]["reads"]["webhook"] == 1
    assert days[0]["total"] == 2 and days[0]["left"] == 98
    assert days[1]["share"]["interactive"] == 0.01
    assert per_day(rows, 100, since=midnight)[0]["total"] == 2


def test_growth_is_judged_against_the_log_bound() -> None:
    points = [
        {"athletes": 1_000, "claim": {"median_us": 100.0}},
        {"athletes": 10_000, "claim": {"median_us": 120.0}},
        {"athletes": 100_000, "claim": {"median_us": 900.0}},
    ]
    steps = growth(points, "claim")
    assert [s["met"] for s in steps] == [True, False]
    assert steps[0]["ratio"] == 1.2 and steps[0]["log_bound"] == 1.333


def test_full_scans_are_found_in_both_dialects_plans() -> None:
    sqlite = {
        "claim": ["SEARCH sync_state USING INDEX ix_sync_state_claim (due_at<?)"],
        "count": ["SCAN athletes"],
        "walk": ["SCAN sync_state USING INDEX ix_sync_state_claim"],
    }
    assert full_scans(sqlite, "sqlite") == {"count": ["SCAN athletes"]}
    pg = {"claim": ["Limit", "  ->  Seq Scan on sync_state"], "ok": ["Index Scan using ix"]}
    assert full_scans(pg, "postgresql") == {"claim": ["->  Seq Scan on sync_state"]}
