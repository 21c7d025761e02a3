"""Dashboard view helpers, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.web.operator.charts import (
    bar_chart,
    freshness,
    gauge_percent,
    history_series,
    monthly_distance_km,
)

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def test_bar_chart_scales_to_the_limit_when_higher() -> None:
    chart = bar_chart([("a", 50.0), ("b", 100.0)], width=200, height=102, limit=200)
    assert [b.height for b in chart.bars] == [25.0, 50.0]
    assert chart.bars[1].x == 100.0
    assert chart.limit_y == 2.0
    assert chart.maximum == 200


def test_bar_chart_of_nothing_is_empty_and_safe() -> None:
    chart = bar_chart([], limit=None)
    assert chart.bars == ()
    assert chart.limit_y is None
    zero = bar_chart([("a", 0.0)])
    assert zero.bars[0].height == 0


def test_gauge_and_freshness() -> None:
    assert gauge_percent(50, 200) == 25
    assert gauge_percent(300, 200) == 100
    assert gauge_percent(1, 0) == 100
    assert freshness(None, NOW) == "never"
    assert freshness(NOW - timedelta(seconds=5), NOW) == "just now"
    assert freshness(NOW - timedelta(minutes=7), NOW) == "7 min ago"
    assert freshness(NOW - timedelta(hours=5), NOW) == "5 h ago"
    assert freshness(NOW - timedelta(days=9), NOW) == "9 d ago"


def test_monthly_distance_sums_sports_per_period() -> None:
    stats = {
        "rollups": {
            "monthly": [
                {"period": "2026-02", "sport": "Run", "distance_m": 10000.0},
                {"period": "2026-01", "sport": "Ride", "distance_m": 50000.0},
                {"period": "2026-02", "sport": "Ride", "distance_m": 20500.0},
            ]
        }
    }
    assert monthly_distance_km(stats) == [("2026-01", 50.0), ("2026-02", 30.5)]
    assert monthly_distance_km(stats, "Run") == [("2026-02", 10.0)]
    assert monthly_distance_km({}) == []


def test_history_series_picks_one_limit_and_window() -> None:
    pts = [
        {"limit_class": "read", "window": "15min", "window_start": NOW, "used": 5},
        {"limit_class": "overall", "window": "15min", "window_start": NOW, "used": 9},
    ]
    assert history_series(pts, "read", "15min") == [("12:00", 5.0)]
