"""Pure row builders: flattening details, coercing odd JSON, the JSONL object."""

from __future__ import annotations

from datetime import UTC, datetime

from stravasync.export.tables import ACTIVITIES, activity_row, conform, detail_rows, names
from stravasync.export.textformats import jsonl_object


def test_detail_rows_flatten_and_tolerate_garbage() -> None:
    detail = {
        "activity_id": 5,
        "athlete_id": 9,
        "laps_json": [{"id": 1, "distance": 1000}, "not a lap", {"id": 2, "distance": True}],
        "splits_metric_json": [{"split": 1, "distance": 1000.0}],
        "splits_standard_json": None,
        "segment_efforts_json": [{"id": 7, "segment": {"id": 3, "name": "Hill"}, "hidden": 1}],
    }
    rows = detail_rows(detail)
    assert [(r["lap_index"], r["id"], r["distance"]) for r in rows["laps"]] == [
        (0, 1, 1000.0),
        (2, 2, None),  # a bool is not a distance
    ]
    assert rows["splits"] == [
        {
            "activity_id": 5,
            "athlete_id": 9,
            "units": "metric",
            "split": 1,
            "distance": 1000.0,
            "elapsed_time": None,
            "moving_time": None,
            "elevation_difference": None,
            "average_speed": None,
            "average_grade_adjusted_speed": None,
            "average_heartrate": None,
            "pace_zone": None,
        }
    ]
    effort = rows["segment_efforts"][0]
    assert (effort["segment_id"], effort["segment_name"], effort["hidden"]) == (3, "Hill", None)


def test_activity_row_has_exactly_the_spec_columns() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    row = activity_row(
        {"id": 1, "athlete_id": 2, "start_date": when, "summary_json": {"id": 1, "x": [1]},
         "unexpected": "dropped", "name": 42}
    )  # fmt: skip
    assert list(row) == names(ACTIVITIES)
    assert row["start_date"] == when
    assert row["summary_json"] == '{"id":1,"x":[1]}'
    assert row["name"] == "42"
    assert "unexpected" not in row
    assert conform({}, ACTIVITIES)["distance"] is None


def test_jsonl_object_puts_athlete_and_id_first() -> None:
    obj = jsonl_object(
        {"athlete_id": 3, "id": 4, "summary_json": {"name": "x", "id": 4, "athlete": {"id": 3}}}
    )
    assert list(obj) == ["athlete_id", "id", "name", "athlete"]
