"""The ``streams`` export table from read_streams's arrays: one row a sample, typed columns."""

from __future__ import annotations

from stravasync.export.tables import STREAMS, names, stream_columns


def test_one_row_per_sample_of_the_longest_stream() -> None:
    cols, n = stream_columns(
        7,
        3,
        {
            "time": [0, 1, 3],
            "latlng": [[45.1, 7.2], [45.2, 7.3]],
            "heartrate": [120, 121, 122],
            "moving": [True, False, True],
            "velocity_smooth": [2, 2.5, 3.25],  # ints among floats
        },
    )
    assert n == 3 and list(cols) == names(STREAMS)
    assert cols["activity_id"] == [7, 7, 7] and cols["athlete_id"] == [3, 3, 3]
    assert cols["sample"] == [0, 1, 2] and cols["time_s"] == [0, 1, 3]
    assert cols["lat"] == [45.1, 45.2, None] and cols["lng"] == [7.2, 7.3, None]
    assert cols["velocity"] == [2, 2.5, 3.25]
    assert cols["moving"] == [True, False, True]
    assert cols["watts"] == [None, None, None]  # a type the activity lacks


def test_values_that_do_not_fit_their_column_are_null() -> None:
    cols, n = stream_columns(
        1,
        1,
        {
            "heartrate": [120.7, True, "x", None],  # float to int; a bool is no heart rate
            "moving": [1, True, None, False],  # only booleans are booleans
            "latlng": [[1.0], "x", [2.0, 3.0], [True, 1.0]],
            "time": "not a list",  # type: ignore[dict-item]
        },
    )
    assert n == 4
    assert cols["heartrate"] == [120, None, None, None]
    assert cols["moving"] == [None, True, None, False]
    assert cols["lat"] == [None, None, 2.0, None] and cols["lng"] == [None, None, 3.0, 1.0]
    assert cols["time_s"] == [None] * 4


def test_no_streams_no_rows() -> None:
    cols, n = stream_columns(1, 1, {})
    assert n == 0 and all(v == [] for v in cols.values())
