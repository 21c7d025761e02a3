"""The fair comparison's pure decisions: new baselines, conditions, stagger, steady state,
the safety net's catches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bench.baselines import (
    BASELINES,
    CONDITIONS,
    DAY,
    HOUR,
    WEBHOOK_ONLY_SETTINGS,
    DailyRelist,
    Pacing,
    Seed000,
    not_listed,
    remaining,
)
from bench.fairness import (
    CONNECT_MARGIN_S,
    SCHEDULED_RUNS,
    clear_of,
    conditions_for,
    safety_net_catches,
    sample_times,
    staggered,
    steady_state,
)
from bench.scenarios import START, club_week

from stravasync.config import Settings

T = datetime(2026, 3, 4, 7, 20, tzinfo=UTC)
NOW = int(T.timestamp())


def test_seed000_polls_everyone_every_quarter_hour_after_last_sync() -> None:
    policy = Seed000()
    assert policy.next_run(T) == datetime(2026, 3, 4, 7, 30, tzinfo=UTC)
    policy.synced(1, NOW - 900, None)
    chosen = policy.choose([1, 2], NOW)
    assert [(c.athlete_id, c.after) for c in chosen] == [(1, NOW - 900), (2, None)]


def test_daily_relist_lists_whole_history_daily_and_prunes() -> None:
    policy = DailyRelist()
    assert policy.next_run(T) == datetime(2026, 3, 5, 3, 0, tzinfo=UTC)
    policy.synced(1, NOW - DAY, NOW - 5 * DAY)
    chosen = policy.choose([1, 2], NOW)
    assert all(c.after is None and c.prune for c in chosen)
    assert not_listed({1, 2, 3}, {2, 4}) == [1, 3]
    assert set(BASELINES) >= {"seed000", "daily-relist"}


def test_webhook_only_settings_are_valid_and_turn_the_safety_net_off() -> None:
    cfg = Settings(**WEBHOOK_ONLY_SETTINGS)
    assert cfg.sync_refresh_active_hours * 3600 > 100 * 365 * DAY
    assert cfg.sync_reconcile_days > 100 * 365
    assert cfg.sync_enrich_settle_hours == 0


def test_conditions_seed002_quota_and_seed004_single_user() -> None:
    scenario = club_week(athletes=12, days=2)
    s2 = conditions_for("seed002", scenario, CONDITIONS["seed002"])
    assert s2.sim.quota == "600,30000,600,30000" and s2.connects == scenario.connects
    s4 = conditions_for("seed004", scenario, CONDITIONS["seed004"])
    assert len(s4.connects) == 1 and not s4.deauths
    (only,) = s4.connects
    assert only not in scenario.deauths and s4.connects[only] < scenario.warmup_s
    assert conditions_for("seed001", scenario, {}) is scenario


def test_stagger_moves_a_connect_clear_of_seed001s_batch() -> None:
    at_1803 = 18 * HOUR + 3 * 60
    assert not clear_of(at_1803, SCHEDULED_RUNS, CONNECT_MARGIN_S)
    moved = staggered(at_1803, SCHEDULED_RUNS, CONNECT_MARGIN_S)
    assert moved == 18 * HOUR + CONNECT_MARGIN_S
    assert staggered(21 * HOUR, SCHEDULED_RUNS, CONNECT_MARGIN_S) == 21 * HOUR
    with pytest.raises(ValueError):
        staggered(0, [(0.0, HOUR)], HOUR)


def test_club_week_late_connects_are_clear_and_token_setting_follows() -> None:
    scenario = club_week(athletes=12, days=7, token_requests_counted=False)
    t0 = START.timestamp()
    late = [at for at in scenario.connects.values() if at >= scenario.warmup_s]
    assert len(late) == 3
    assert all(clear_of((t0 + at) % DAY, SCHEDULED_RUNS, CONNECT_MARGIN_S) for at in late)
    assert scenario.sim.count_token_requests is False
    assert scenario.settings["budget_count_token_requests"] is False


def test_steady_state_is_the_median_of_the_last_days_samples() -> None:
    times = sample_times(0, 3 * DAY)
    assert times[0] == 2 * DAY + 3600 and times[-1] == 3 * DAY - 3600 and len(times) == 23
    assert sample_times(0, 7200) == [3600]
    got = steady_state([{"missing": 5, "zombies": 0, "stale": 1}, {"missing": 1, "stale": 3},
                        {"missing": 2, "stale": 2}])  # fmt: skip
    assert got["samples"] == 3 and got["missing_median"] == 2 and got["stale_median"] == 2
    assert got["zombies_median"] == 0 and got["stale_detail_median"] is None


def test_safety_net_catches_only_what_webhook_only_missed() -> None:
    ours = [[10, "update", 1, True], [20, "create", 2, True], [30, "update", 3, False],
            [40, "update", 4, True]]  # fmt: skip
    hooks = [[10, "update", 1, False], [20, "create", 2, False], [30, "update", 3, False],
             [40, "update", 4, True]]  # fmt: skip
    got = safety_net_catches(ours, hooks, silent=[[10, 1]])
    assert got["caught_only_by_safety_net"] == 2
    assert got["by_kind_and_cause"] == {"create_pushed": 1, "update_silent": 1}
    assert got["webhook_only_never_mirrored"] == 3


def test_seed004_enrich_plan_backfill_missing_daily_recent() -> None:
    from bench.baselines import Seed004

    policy = Seed004()
    starts = {1: NOW - 30 * DAY, 2: NOW - 2 * DAY, 3: NOW - 40 * DAY, 4: NOW - DAY}
    assert policy.enrich_ids(starts, {2}, NOW, backfill=True) == [4, 1, 3]
    assert policy.enrich_ids(starts, {2, 4}, NOW, backfill=False) == [4, 2]
    assert policy.backfill_pacing == Pacing(5, 25, 800)
    assert policy.daily_pacing == Pacing(0, 0, None)


def test_pacing_stops_at_cushions_and_max_calls() -> None:
    headers = {
        "X-RateLimit-Limit": "200,2000",
        "X-RateLimit-Usage": "10,100",
        "X-ReadRateLimit-Limit": "100,1000",
        "X-ReadRateLimit-Usage": "94,100",
    }
    assert remaining(headers) == (6, 900)  # the read window is the stricter
    assert Pacing(5, 25).allows(headers, 0)
    assert not Pacing(6, 25).allows(headers, 0)
    assert not Pacing(0, 900).allows(headers, 0)
    assert not Pacing(max_calls=3).allows(headers, 3) and Pacing(max_calls=3).allows(headers, 2)
    assert remaining({"X-RateLimit-Limit": "bad", "X-RateLimit-Usage": "1,2"}) is None
    assert Pacing(5, 25).allows({}, 0)  # before any response: nothing to pace by
