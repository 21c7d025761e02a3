"""Pure parts of the athlete's pages: units, chart series, Eddington words, the sync limit, the
tile origin admitted by the CSP, the session cookie's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.store.me import SYNC_EVERY, next_allowed
from stravasync.web.athlete.render import tile_origin
from stravasync.web.athlete.views import (
    chart_series,
    duration,
    eddington_rows,
    km,
    pace_or_speed,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_units_read_as_people_write_them() -> None:
    assert km(12345.0) == "12.35 km" and km(None) == "\u2013"
    assert duration(3725) == "1:02:05" and duration(125) == "2:05"
    assert pace_or_speed("Run", 10000.0, 3000) == "5:00 /km"
    assert pace_or_speed("Ride", 36000.0, 3600) == "36.0 km/h"
    assert pace_or_speed("Ride", 0.0, 3600) == "\u2013"


def test_chart_series_fill_missing_sports_with_zero_and_keep_the_newest_periods() -> None:
    rows = [
        {
            "period": f"2026-{m:02d}",
            "sport": "Ride",
            "count": 1,
            "distance_m": 1000.0 * m,
            "moving_time_s": 3600,
            "elevation_m": 10.0,
        }
        for m in range(1, 13)
    ] + [
        {
            "period": "2026-03",
            "sport": "Run",
            "count": 1,
            "distance_m": 5000.0,
            "moving_time_s": 1800,
            "elevation_m": 0.0,
        }
    ]
    out = chart_series({"monthly": rows})["monthly"]
    assert out["periods"][0] == "2026-01" and len(out["periods"]) == 12
    assert out["series"]["distance"]["Run"][:3] == [0.0, 0.0, 5.0]
    assert out["series"]["time"]["Ride"][0] == 1.0  # hours
    many = [r | {"period": f"{2000 + i}"} for i, r in enumerate(rows * 5)]
    assert len(chart_series({"yearly": many})["yearly"]["periods"]) == 50  # the newest 50


def test_eddington_rows_say_what_the_next_number_needs_in_both_units() -> None:
    report = {
        "overall": {
            "km": {
                "number": 18,
                "next": 19,
                "days_needed_for_next": 6,
                "days_at_or_above_next": 13,
            },
            "miles": {
                "number": 12,
                "next": 13,
                "days_needed_for_next": 13,
                "days_at_or_above_next": 0,
            },
        }
    }
    km_row, mile_row = eddington_rows(report)
    assert km_row["needs"] == "6 more days of 19 km (11.8 miles) or more; 13 of 19 done"
    assert mile_row["needs"] == "13 more days of 13 miles (20.9 km) or more; 0 of 13 done"


def test_sync_now_is_limited_per_athlete() -> None:
    assert next_allowed(None, NOW, SYNC_EVERY) is None
    assert next_allowed(NOW - SYNC_EVERY, NOW, SYNC_EVERY) is None
    assert (
        next_allowed(NOW - timedelta(minutes=1), NOW, SYNC_EVERY)
        == NOW - timedelta(minutes=1) + SYNC_EVERY
    )


def test_only_the_tile_origin_is_admitted() -> None:
    assert tile_origin("https://tile.example.org/{z}/{x}/{y}.png") == "https://tile.example.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert tile_origin(None) is None and tile_origin("javascript:alert(1)") is None


def test_the_tile_url_setting_is_checked() -> None:
    import pytest

    from stravasync.config import load_settings
    from stravasync.errors import ConfigError

    ok = load_settings(map_tile_url="https://t.example.org/{z}/{x}/{y}.png")
    assert ok.map_tile_url == "https://t.example.org/{z}/{x}/{y}.png"
    assert load_settings(map_tile_url="").map_tile_url is None
    for bad in (
        "http://t.example.org/{z}/{x}/{y}.png",
        "https://t.example.org/a.png",
        "https://t.example.org/{z}/{x}/{y}.png; script-src *",
    ):
        with pytest.raises(ConfigError, match="STRAVASYNC_MAP_TILE_URL"):
            load_settings(map_tile_url=bad)
