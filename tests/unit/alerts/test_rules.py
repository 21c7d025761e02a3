"""The alert decisions, pure: onset, no repeat within the period, repeat after it, a state
change told once each way, and a failed delivery decided again next time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.alerts import Facts, Policy, decide, summary_line
from stravasync.alerts.rules import remember

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = Policy(repeat=timedelta(hours=6), disk_min_free_mb=100)


def keys(alerts: list) -> list[tuple[str, bool]]:  # type: ignore[type-arg]
    return [(a.key, a.active) for a in alerts]


def test_nothing_wrong_nothing_sent() -> None:
    alerts, memory = decide(Facts(now=T0, disk_free_mb=5000), {}, POLICY)
    assert alerts == [] and memory == {}


def test_conditions_fire_once_then_again_after_the_period() -> None:
    facts = Facts(now=T0, dead_letters=2, stale_athletes=1, disk_free_mb=50)
    alerts, memory = decide(facts, {}, POLICY)
    assert keys(alerts) == [("dead_letters", True), ("disk", True), ("stale", True)]
    assert "2 unit(s)" in alerts[0].body and "50 MB free" in alerts[1].body
    later = Facts(
        now=T0 + timedelta(hours=5, minutes=59), dead_letters=3, stale_athletes=1, disk_free_mb=50
    )
    again, memory2 = decide(later, memory, POLICY)
    assert again == [] and memory2 == memory  # within the period: nothing, even if worse
    after = Facts(now=T0 + timedelta(hours=6), dead_letters=3, stale_athletes=1, disk_free_mb=50)
    repeated, _ = decide(after, memory, POLICY)
    assert keys(repeated) == [("dead_letters", True), ("disk", True), ("stale", True)]


def test_suspension_is_told_once_each_way_never_repeated() -> None:
    down = Facts(now=T0, app_suspended="application_inactive: paused by Strava")
    alerts, memory = decide(down, {}, POLICY)
    assert keys(alerts) == [("app_suspended", True)]
    assert alerts[0].level == "failure" and "paused by Strava" in alerts[0].body
    week = Facts(now=T0 + timedelta(days=7), app_suspended="application_inactive: x")
    assert decide(week, memory, POLICY)[0] == []  # a state is not a reminder
    up = Facts(now=T0 + timedelta(days=8))
    alerts, memory = decide(up, memory, POLICY)
    assert [(a.key, a.active, a.title) for a in alerts] == [
        ("app_suspended", False, "Strava application resumed")
    ]
    assert decide(Facts(now=T0 + timedelta(days=9)), memory, POLICY)[0] == []


def test_a_failed_delivery_is_decided_again() -> None:
    facts = Facts(now=T0, dead_letters=1, webhook_problem="no subscription")
    alerts, decided = decide(facts, {}, POLICY)
    kept = remember({}, decided, failed={"webhook"})
    assert set(kept) == {"dead_letters"}
    alerts, _ = decide(
        Facts(now=T0 + timedelta(minutes=1), dead_letters=1, webhook_problem="no subscription"),
        kept,
        POLICY,
    )
    assert keys(alerts) == [("webhook", True)]


def test_summary_line() -> None:
    facts = Facts(now=T0, dead_letters=1, stale_athletes=2, disk_free_mb=2048.4)
    line = summary_line(facts, athletes={"active": 3, "deauthorized": 1}, synced_24h=2)
    assert line == (
        "health: app ok; athletes 3 active, 1 deauthorized; synced in 24 h 2; dead letters 1; "
        "webhook ok; stale 2 (7+ days); disk 2048 MB free"
    )


def test_a_flapping_condition_is_not_told_again_within_the_period() -> None:
    low = Facts(now=T0, disk_free_mb=50)
    alerts, memory = decide(low, {}, POLICY)
    assert keys(alerts) == [("disk", True)]
    steps = [(10, 500), (20, 50), (30, 500), (40, 50)]  # minutes, MB free: flapping
    told = []
    for minutes, free in steps:
        facts = Facts(now=T0 + timedelta(minutes=minutes), disk_free_mb=free)
        alerts, memory = decide(facts, memory, POLICY)
        told += keys(alerts)
    assert told == [("disk", False)]  # the first recovery only; no re-onset, no second end
    later = Facts(now=T0 + timedelta(hours=6), disk_free_mb=50)
    alerts, memory = decide(later, memory, POLICY)
    assert keys(alerts) == [("disk", True)]  # still low after the period: told again
