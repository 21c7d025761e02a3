"""Dashboard view helpers, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.web.operator.charts import (
    freshness,
    gauge_percent,
    history_series,
    month_label,
    monthly_chart,
    monthly_distance_km,
    quota_chart,
)

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def test_quota_chart_has_time_labels_units_a_limit_line_and_a_summary() -> None:
    series = [(NOW, 50.0), (NOW + timedelta(minutes=15), 120.0), (NOW + timedelta(minutes=30), 7.0)]
    chart = quota_chart(series, name="read / 15min", limit=100)
    spec = chart.spec()
    assert spec["labels"] == ["12:00", "12:15", "12:30"]
    assert spec["x_title"] == "window start (UTC)" and spec["y_title"] == "requests per 15 min"
    used, limit = spec["series"]
    assert used == {"label": "requests used", "values": [50.0, 120.0, 7.0], "kind": "bar"}
    assert limit["kind"] == "line" and limit["values"] == [100.0, 100.0, 100.0]
    assert chart.summary == (
        "3 windows from 12:00 to 12:30 UTC; peak 120 requests at 12:15; limit 100 per 15 minutes"
    )
    assert chart.rows[1] == ("12:15", [120.0, 100.0])


def test_charts_of_nothing_say_so() -> None:
    empty = quota_chart([], name="read / daily", limit=None)
    assert empty.labels == () and [s.label for s in empty.series] == ["requests used"]
    assert "no request" in empty.summary
    assert monthly_chart([]).summary == "no activity with a distance yet"


def test_monthly_chart_reads_months_as_words() -> None:
    assert month_label("2026-11") == "Nov 2026"
    assert month_label("2026-W03") == "2026-W03"  # not a month: left alone
    chart = monthly_chart([("2025-12", 40.0), ("2026-01", 61.5)])
    assert chart.labels == ("Dec 2025", "Jan 2026")
    assert chart.unit == "km" and chart.y_title == "distance (km)"
    assert chart.summary == (
        "2 months from Dec 2025 to Jan 2026; 101.5 km in all; most in Jan 2026 (61.5 km)"
    )


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
    assert history_series(pts, "read", "15min") == [(NOW, 5.0)]
