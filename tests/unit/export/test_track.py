"""The track of an activity from its streams or its polyline (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from stravasync.export.tracks.track import build_track, decode_polyline, from_streams
from stravasync.export.tracks.xmltext import decimal, stamp
from stravasync.simulator.content.geometry import encode_polyline

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def test_googles_documented_example_decodes() -> None:
    # the example of Google's "Encoded Polyline Algorithm Format" page
    assert decode_polyline("_p~iF~ps|U_ulLnnqC_mqNvxq`@") == [
        (38.5, -120.2),
        (40.7, -120.95),
        (43.252, -126.453),
    ]


@given(
    st.lists(
        st.tuples(
            st.floats(-89.99999, 89.99999, allow_nan=False),
            st.floats(-179.99999, 179.99999, allow_nan=False),
        ),
        max_size=50,
    )
)
def test_decoding_inverts_the_simulators_encoder(points: list[tuple[float, float]]) -> None:
    rounded = [(round(a, 5), round(b, 5)) for a, b in points]
    decoded = decode_polyline(encode_polyline(rounded))
    assert len(decoded) == len(rounded)
    for (a, b), (c, d) in zip(decoded, rounded, strict=True):
        assert abs(a - c) < 1.1e-5 and abs(b - d) < 1.1e-5


def test_a_malformed_tail_keeps_what_decoded_before_it() -> None:
    text = encode_polyline([(45.0, 6.0), (45.001, 6.001)])
    assert decode_polyline(text + "_") == [(45.0, 6.0), (45.001, 6.001)]
    assert decode_polyline("") == []
    assert decode_polyline(" ") == []


def test_streams_give_timed_points_with_sensors() -> None:
    streams = {
        "time": [0, 5, 10],
        "latlng": [[45.0, 6.0], None, [45.002, 6.002]],
        "altitude": [300.0, 301.0, 302.5],
        "heartrate": [120, 121, 122],
        "watts": [200, 210, None],
        "temp": [14, 14, 15],
    }
    points = from_streams(streams, START)
    assert [(p.lat, p.lon) for p in points] == [(45.0, 6.0), (45.002, 6.002)]  # no fix: left out
    assert [p.time for p in points] == [START, START + timedelta(seconds=10)]
    assert points[1].elevation == 302.5 and points[1].heartrate == 122
    assert points[1].watts is None and points[1].cadence is None and points[1].temp == 15


def test_streams_first_then_the_polyline_then_nothing() -> None:
    line = encode_polyline([(45.0, 6.0), (45.01, 6.01)])
    with_fix = {"time": [0], "latlng": [[1.0, 2.0]]}
    indoor = {"time": [0, 1], "heartrate": [100, 101]}
    track = build_track(with_fix, line, START)
    assert track is not None and track.source == "streams"
    track = build_track(indoor, line, START)
    assert track is not None and track.source == "polyline" and len(track.points) == 2
    assert track.points[0].time is None
    assert build_track(indoor, None, START) is None
    assert build_track(None, "", START) is None


def test_numbers_and_times_as_xml_text() -> None:
    assert decimal(45.00071, 7) == "45.00071"
    assert decimal(1e-05, 7) == "0.00001"  # xsd:decimal has no exponent
    assert decimal(-1e-9, 7) == "0"
    assert decimal(300.0, 3) == "300"
    assert decimal(120, 2) == "120"
    assert stamp(START + timedelta(seconds=5)) == "2026-03-02T07:00:05Z"
