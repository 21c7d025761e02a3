"""activities.csv parsing: repeated columns, quoting, unknown and missing columns, bad rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stravasync.archive.csvparse import MissingColumns, parse_activities_csv, parse_date

HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Max Heart Rate,Average Heart Rate,Shiny New Column"
)


def test_repeated_columns_take_the_precise_values() -> None:
    text = (
        HEADER + "\n"
        '123,"Jul 1, 2025, 6:30:00 AM","Lunch, with ""friends""",Virtual Ride,,3600,'
        "30.12,170,,true,,,activities/123.fit.gz,,,3601.0,3500.0,30123.4,12.5,8.6,210.0,"
        "171,140.5,x\n"
    )
    parsed = parse_activities_csv(text)
    assert parsed.problems == []
    assert parsed.unknown_columns == ["Shiny New Column"]
    row = parsed.rows[0]
    assert row.id == 123
    assert row.start == datetime(2025, 7, 1, 6, 30, tzinfo=UTC)
    assert row.name == 'Lunch, with "friends"'
    assert row.activity_type == "Virtual Ride"
    assert (row.elapsed_time, row.moving_time, row.distance_m) == (3601.0, 3500.0, 30123.4)
    assert (row.max_heartrate, row.average_heartrate) == (171.0, 140.5)
    assert row.commute is True
    assert row.filename == "activities/123.fit.gz"


def test_bad_rows_are_problems_and_others_import() -> None:
    text = (
        "Activity ID,Activity Date,Activity Name,Distance\n"
        '1,"Jan 2, 2026, 11:30:00 PM",ok,12.5\n'
        'x1,"Jan 2, 2026, 11:30:00 PM",bad id,1\n'
        '3,"yesterday",bad date,1\n'
        "\n"
    )
    parsed = parse_activities_csv(text)
    assert [r.id for r in parsed.rows] == [1]
    assert parsed.rows[0].distance_m == 12500.0  # only the display column (km)
    assert parsed.rows[0].start == datetime(2026, 1, 2, 23, 30, tzinfo=UTC)
    assert [(p.where, p.activity_id) for p in parsed.problems] == [
        ("activities.csv line 3", None),
        ("activities.csv line 4", 3),
    ]
    assert "unreadable Activity Date" in parsed.problems[1].reason


def test_missing_required_column() -> None:
    with pytest.raises(MissingColumns) as info:
        parse_activities_csv("Activity ID,Activity Name\n1,x\n")
    assert info.value.columns == ["Activity Date"]


@pytest.mark.parametrize(
    "text",
    ["Jul 1, 2025, 6:30:00 PM", "1 Jul 2025, 18:30:00", "2025-07-01 18:30:00"],
)
def test_date_formats(text: str) -> None:
    assert parse_date(text) == datetime(2025, 7, 1, 18, 30, tzinfo=UTC)
