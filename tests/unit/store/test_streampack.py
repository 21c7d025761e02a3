"""Packing streams: every Strava stream type round-trips exactly, and bounds hold."""

from __future__ import annotations

import json
import math
import random
import struct
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest

from stravasync.store.mirror.streampack import (
    HEADER,
    MAX_SAMPLES,
    BadPackedStream,
    StreamTooLong,
    pack,
    unpack,
)
from stravasync.store.mirror.streams import by_type, packed_row, unpacked
from stravasync.store.tables.streams import STREAM_KEYS

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def ride(n: int, seed: int = 7) -> dict[str, list[Any]]:
    """A plausible ride of ``n`` one-second samples in Strava's JSON types."""
    rng = random.Random(seed)
    lat, lng, dist, alt = 45.07, 7.68, 0.0, 240.0
    out: dict[str, list[Any]] = {k: [] for k in STREAM_KEYS}
    for i in range(n):
        lat += rng.uniform(-4e-5, 6e-5)
        lng += rng.uniform(-4e-5, 6e-5)
        dist += rng.uniform(4.0, 9.0)
        alt += rng.uniform(-0.4, 0.5)
        out["time"].append(i)
        out["latlng"].append([round(lat, 6), round(lng, 6)])
        out["distance"].append(round(dist, 1))
        out["altitude"].append(round(alt, 1))
        out["velocity_smooth"].append(round(rng.uniform(4, 9), 3))
        out["heartrate"].append(130 + int(20 * math.sin(i / 300)) + rng.randint(-2, 2))
        out["cadence"].append(rng.randint(80, 95))
        out["watts"].append(max(0, int(200 + 80 * math.sin(i / 50)) + rng.randint(-20, 20)))
        out["temp"].append(18 + i // 3600)
        out["moving"].append(rng.random() > 0.03)
        out["grade_smooth"].append(round(rng.uniform(-8, 8), 1))
    return out


@pytest.mark.parametrize("key", STREAM_KEYS)
def test_every_stream_type_round_trips_with_its_json_types(key: str) -> None:
    data = ride(3000)[key]
    back = unpack(pack(key, data))
    assert back == data
    assert [type(v) for v in back] == [type(v) for v in data]  # ints stay ints, bools bools


def test_packed_streams_are_far_smaller_than_json() -> None:
    streams = ride(20_000)
    packed = sum(len(pack(k, v)) for k, v in streams.items())
    as_json = len(json.dumps(streams))
    assert packed * 4 < as_json, (packed, as_json)


@pytest.mark.parametrize(
    "data",
    [
        [],
        [0],
        [True],
        [1.5],
        [[45.0, 7.0]],
        [-3, 2**52, -(2**52), 0],  # large deltas still exact
        [0.1, 0.2, 0.30000000000000004],  # not a short decimal: raw doubles
        [1e-9, 123456.7654321],
        [float("inf"), 1.0],
        [1, 2.5, 3],  # ints among floats read back equal
        [None, 3, None],  # gaps: kept as JSON
        [[45.0, 7.0], None],
        ["a", {"b": 1}],
        [2**70, 1],  # beyond 64-bit deltas: JSON
        [True, 1],  # bools among ints: JSON keeps each
    ],
)
def test_odd_inputs_round_trip(data: list[Any]) -> None:
    assert unpack(pack("x", data)) == data


def test_negative_zero_reads_back_as_zero() -> None:
    """-0.0 == 0.0: the one difference, only in the sign of a zero."""
    assert unpack(pack("grade_smooth", [-0.0, 1.5])) == [0.0, 1.5]


def test_nan_survives() -> None:
    back = unpack(pack("x", [float("nan"), 1.0]))
    assert math.isnan(back[0]) and back[1] == 1.0


def test_a_stream_beyond_the_bound_is_refused_with_its_size() -> None:
    with pytest.raises(StreamTooLong) as info:
        pack("time", range(MAX_SAMPLES + 1))  # type: ignore[arg-type]
    assert (info.value.key, info.value.samples) == ("time", MAX_SAMPLES + 1)
    assert len(unpack(pack("time", list(range(MAX_SAMPLES))))) == MAX_SAMPLES


def test_a_huge_answer_keeps_the_streams_within_the_bound() -> None:
    answer = {
        "time": {"data": list(range(MAX_SAMPLES + 5))},
        "heartrate": {"data": [120] * 10},
    }
    row, stored = packed_row(1, 2, answer, NOW)
    assert stored.refused == {"time": MAX_SAMPLES + 5}
    assert stored.kept == ("heartrate",) and row["time"] is None
    assert unpacked(row) == {"heartrate": [120] * 10}


def _blob(kind: int, count: int, body: bytes, e: int = 0) -> bytes:
    return HEADER.pack(1, kind, e, count) + zlib.compress(body)


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"\x01\x01",
        HEADER.pack(2, 1, 0, 1) + zlib.compress(b"\0" * 8),  # unknown version
        HEADER.pack(1, 1, 0, MAX_SAMPLES + 1),  # count beyond the bound
        _blob(1, 2, b"\0" * 8),  # body shorter than the count
        _blob(1, 1, b"\0" * 10_000_000),  # a bomb: more than the count allows
        _blob(4, 3, b"\1\0"),
        _blob(5, 1, b"[1,2]"),
        _blob(5, 1, b"{}"),
        _blob(9, 1, b"\0" * 8),
        _blob(2, 1, b"\0" * 8, e=12),
        HEADER.pack(1, 1, 0, 1) + b"not zlib",
        _blob(1, 1, b"\0" * 8)[:-2],  # cut short
    ],
)
def test_bad_bytes_are_refused_without_inflating_them(blob: bytes) -> None:
    with pytest.raises(BadPackedStream):
        unpack(blob)


def test_a_json_bomb_is_refused() -> None:
    bomb = _blob(5, 1, b"[" + b" " * 10_000_000 + b"1]")
    with pytest.raises(BadPackedStream):
        unpack(bomb)


def test_strava_answers_in_both_shapes_keep_only_known_types() -> None:
    keyed = {
        "time": {"data": [0, 1], "series_type": "time", "original_size": 2, "resolution": "high"},
        "latlng": {"data": [[1.0, 2.0], [1.5, 2.5]]},
        "power_zones": {"data": [1, 2]},  # not a stream type
        "watts": {"data": "nope"},  # not a list
    }
    listed = [{"type": k, **v} for k, v in keyed.items()]
    for answer in (keyed, listed):
        assert set(by_type(answer)) == {"time", "latlng"}
        row, stored = packed_row(5, 6, answer, NOW)
        assert unpacked(row) == {"time": [0, 1], "latlng": [[1.0, 2.0], [1.5, 2.5]]}
        assert (stored.kept, stored.samples) == (("time", "latlng"), 2)
        assert (row["series_type"], row["resolution"], row["original_size"]) == (
            "time",
            "high",
            2,
        )
    assert by_type(None) == {} and by_type("x") == {}
    row, stored = packed_row(5, 6, {}, NOW)
    assert unpacked(row) == {} and stored.samples == 0


def test_metadata_is_bounded() -> None:
    answer = {"time": {"data": [0], "series_type": "x" * 500, "original_size": 2**40}}
    row, _ = packed_row(5, 6, answer, NOW)
    assert len(row["series_type"]) == 16 and row["original_size"] is None


def test_header_layout_is_stable() -> None:
    """The first stored bytes stay readable: version 1, kind, exponent, count."""
    blob = pack("distance", [0.0, 1.5])
    assert struct.unpack_from("<BBbI", blob) == (1, 2, 1, 2)
