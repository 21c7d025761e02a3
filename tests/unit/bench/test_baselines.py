"""The baselines' scheduling decisions, as the seeds describe them."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.backfill import optimum_windows, pages_needed
from bench.baselines import DAY, HOUR, Seed001, Seed002, Seed003, Seed004

T = datetime(2026, 3, 4, 7, 20, tzinfo=UTC)  # a Wednesday
NOW = int(T.timestamp())


def test_seed001_every_six_hours_fifty_oldest_first_last_seven_days() -> None:
    policy = Seed001()
    assert policy.next_run(T) == datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    athletes = list(range(1, 61))
    for a in athletes[:55]:
        policy.synced(a, NOW - a * 60, None)  # athlete 55 synced longest ago
    chosen = policy.choose(athletes, NOW)
    assert len(chosen) == 50
    assert [c.athlete_id for c in chosen[:5]] == [56, 57, 58, 59, 60]  # never synced first
    assert chosen[5].athlete_id == 55
    assert all(c.after == NOW - 7 * DAY for c in chosen)
    assert policy.stop_on_429 and policy.between_athletes_s == 1.0


def test_seed002_skip_thresholds() -> None:
    policy = Seed002()
    assert policy.next_run(T) == datetime(2026, 3, 4, 7, 30, tzinfo=UTC)
    assert policy.should_sync(1, NOW)  # never synced
    policy.synced(1, NOW - 50 * 60, NOW - DAY)  # active, synced 50 min ago
    assert not policy.should_sync(1, NOW)
    policy.synced(2, NOW - 3 * HOUR, NOW - DAY)  # active, 3 h
    assert policy.should_sync(2, NOW)
    policy.synced(3, NOW - 3 * HOUR, NOW - 30 * DAY)  # inactive, 3 h
    assert not policy.should_sync(3, NOW)
    policy.synced(4, NOW - 5 * HOUR, NOW - 30 * DAY)  # inactive, 5 h
    assert policy.should_sync(4, NOW)
    policy.synced(5, NOW - 6 * HOUR, None)  # 6 h: always
    assert policy.should_sync(5, NOW)
    chosen = policy.choose([1, 2, 3, 4, 5], NOW)
    assert [(c.athlete_id, c.after) for c in chosen] == [
        (2, NOW - 3 * HOUR),
        (4, NOW - 5 * HOUR),
        (5, NOW - 6 * HOUR),
    ]


def test_seed003_weekly_monday_two_am_batches_of_twenty() -> None:
    policy = Seed003()
    assert policy.next_run(T) == datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
    assert policy.next_run(datetime(2026, 3, 9, 2, 0, tzinfo=UTC)) == datetime(
        2026, 3, 16, 2, 0, tzinfo=UTC
    )
    assert policy.pause_after(0) == 0.5
    assert policy.pause_after(19) == 60.5
    policy.synced(7, NOW - DAY, None)
    chosen = policy.choose([7, 8], NOW)
    assert [(c.athlete_id, c.after) for c in chosen] == [(7, NOW - DAY), (8, None)]


def test_seed004_daily_five_am_london_watermark_minus_21_days() -> None:
    policy = Seed004()
    assert policy.next_run(T) == datetime(2026, 3, 5, 5, 0, tzinfo=UTC)  # GMT in March
    summer = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
    assert policy.next_run(summer) == datetime(2026, 7, 1, 4, 0, tzinfo=UTC)  # 05:00 BST
    policy.synced(1, NOW, NOW - 2 * DAY)
    chosen = policy.choose([1, 2], NOW)
    assert [(c.athlete_id, c.after) for c in chosen] == [(1, NOW - 23 * DAY), (2, None)]


def test_quota_optimum_counts_pages_and_honours_the_daily_limit() -> None:
    assert pages_needed([0, 1, 200, 201, 5000]) == 1 + 1 + 1 + 2 + 25
    start = int(datetime(2026, 3, 2, 6, 3, tzinfo=UTC).timestamp())
    assert optimum_windows(300, start, 300, 3000) == 1
    assert optimum_windows(301, start, 300, 3000) == 2
    # 3,000 reads a day: the 3,001st waits for midnight UTC (71 windows after 06:00 + 1)
    assert optimum_windows(3001, start, 300, 3000) == (24 * 4 - 24) + 1
