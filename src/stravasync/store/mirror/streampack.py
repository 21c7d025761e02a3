"""Packing one Strava stream (a list of samples) into compact bytes, and back, losslessly.

A packed stream is a 7-byte header ``<BBbI`` (format version, kind, decimal exponent, sample
count) and a zlib-compressed body:

- ``INT``: whole numbers (time, heartrate, cadence, watts, temp), as 64-bit deltas;
- ``FIXED``: decimals that are exactly ``n / 10**e`` for one ``e`` in 0..7 (distance,
  altitude, speed, grade, positions: Strava sends 1 to 7 decimals), as 64-bit deltas of ``n``;
  ``n / 10**e`` is correctly rounded in Python, so the floats read back equal those written
  (a ``-0.0`` reads back as ``0.0``, equal to it);
- ``FLOAT``: other floats, raw IEEE 754 doubles;
- ``BOOL``: one byte per sample (``moving``);
- ``JSON``: anything else (nulls, mixed types), as compact JSON: never lost, only less compact.

``latlng`` pairs use the numeric kinds with the ``PAIRS`` bit: all latitudes, then all
longitudes (deltas of neighbours compress best). Deltas of a smooth series are small numbers
whose high bytes are zero, which zlib squeezes to a byte or two per sample.

Bounds: at most ``MAX_SAMPLES`` samples per stream (:class:`StreamTooLong` beyond), and unpacking
never inflates more than the header's count allows (a corrupt or hostile blob is refused with
:class:`BadPackedStream`, never decompressed without limit).
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

VERSION = 1
HEADER = struct.Struct("<BBbI")
INT, FIXED, FLOAT, BOOL, JSON = 1, 2, 3, 4, 5
PAIRS = 0x80
MAX_SAMPLES = 1_000_000  # 11.5 days at one sample a second
MAX_EXPONENT = 7  # Strava's positions carry 6 to 7 decimals
_SAFE = 2**53  # scaled values stay exact as doubles and their deltas fit in 64 bits
_JSON_BYTES_PER_SAMPLE = 64
_SWAP = sys.byteorder != "little"


class StreamTooLong(ValueError):
    """A stream with more samples than we keep."""

    def __init__(self, key: str, samples: int, limit: int = MAX_SAMPLES) -> None:
        super().__init__(f"stream {key!r} has {samples} samples (at most {limit} are kept)")
        self.key, self.samples, self.limit = key, samples, limit


class BadPackedStream(ValueError):
    """Bytes that are not a stream this module packed."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"not a packed stream: {problem}")
        self.problem = problem


def _is_int(v: Any) -> bool:
    return type(v) is int and -_SAFE < v < _SAFE


def _is_number(v: Any) -> bool:
    return (type(v) is int and -_SAFE < v < _SAFE) or type(v) is float


def _exponent(values: Sequence[float]) -> int | None:
    """The smallest ``e`` with every value exactly ``round(v * 10**e) / 10**e``, if any."""
    for e in range(MAX_EXPONENT + 1):
        scale = float(10**e)  # exact: int / scale then equals the correctly rounded n / 10**e
        try:
            if all(abs(n := round(v * scale)) < _SAFE and n / scale == v for v in values):
                return e
        except (OverflowError, ValueError):  # inf, nan
            return None
    return None


def _ints(values: Sequence[int]) -> bytes:
    deltas = array("q", (b - a for a, b in zip([0, *values[:-1]], values, strict=True)))
    if _SWAP:
        deltas.byteswap()
    return deltas.tobytes()


def _floats(values: Sequence[float]) -> bytes:
    raw = array("d", values)
    if _SWAP:
        raw.byteswap()
    return raw.tobytes()


def _numeric(flat: Sequence[Any]) -> tuple[int, int, bytes]:
    """``(kind, exponent, body)`` of a flat list of numbers."""
    if all(_is_int(v) for v in flat):
        return INT, 0, _ints(flat)
    e = _exponent(flat)
    if e is not None:
        scale = float(10**e)
        return FIXED, e, _ints([round(v * scale) for v in flat])
    return FLOAT, 0, _floats([float(v) for v in flat])


def _is_pair(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 2 and _is_number(v[0]) and _is_number(v[1])


def pack(key: str, data: Sequence[Any]) -> bytes:
    """The packed bytes of one stream's samples (``key`` names it in errors only)."""
    count = len(data)
    if count > MAX_SAMPLES:
        raise StreamTooLong(key, count)
    if count and all(type(v) is bool for v in data):
        kind, e, body = BOOL, 0, bytes(1 if v else 0 for v in data)
    elif count and all(_is_number(v) for v in data):
        kind, e, body = _numeric(data)
    elif count and all(_is_pair(v) for v in data):
        kind, e, body = _numeric([p[0] for p in data] + [p[1] for p in data])
        kind |= PAIRS
    else:
        kind, e = JSON, 0
        body = json.dumps(list(data), separators=(",", ":"), allow_nan=True).encode()
    return HEADER.pack(VERSION, kind, e, count) + zlib.compress(body, 6)


def _inflate(blob: bytes | memoryview, limit: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(blob, limit)
    except zlib.error as exc:
        raise BadPackedStream(f"corrupt body ({exc})") from exc
    if inflater.unconsumed_tail or not inflater.eof:
        raise BadPackedStream("body longer than its count allows, or cut short")
    return out


def _array(code: str, raw: bytes, items: int) -> array[Any]:
    values = array(code)
    if len(raw) != items * values.itemsize:
        raise BadPackedStream(f"body holds {len(raw)} bytes for {items} samples")
    values.frombytes(raw)
    if _SWAP:
        values.byteswap()
    return values


def unpack(blob: bytes) -> list[Any]:
    """The samples of a packed stream, equal to those given to :func:`pack`."""
    if len(blob) < HEADER.size:
        raise BadPackedStream("shorter than its header")
    version, kind, e, count = HEADER.unpack_from(blob)
    if version != VERSION:
        raise BadPackedStream(f"format version {version}")
    if count > MAX_SAMPLES:
        raise BadPackedStream(f"{count} samples")
    body = memoryview(blob)[HEADER.size :]
    pairs, base = bool(kind & PAIRS), kind & ~PAIRS
    items = count * 2 if pairs else count
    if base == BOOL and not pairs:
        raw = _inflate(body, count + 1)
        if len(raw) != count:
            raise BadPackedStream(f"body holds {len(raw)} bytes for {count} samples")
        return [b == 1 for b in raw]
    if base == JSON and not pairs:
        values = json.loads(_inflate(body, max(count, 1) * _JSON_BYTES_PER_SAMPLE))
        if not isinstance(values, list) or len(values) != count:
            raise BadPackedStream("JSON body is not a list of its count")
        return values
    if base not in (INT, FIXED, FLOAT) or not 0 <= e <= MAX_EXPONENT:
        raise BadPackedStream(f"kind {kind} exponent {e}")
    raw = _inflate(body, items * 8 + 1)
    flat: list[Any]
    if base == FLOAT:
        flat = _array("d", raw, items).tolist()
    else:
        ints = list(accumulate(_array("q", raw, items)))
        scale = float(10**e)
        flat = [n / scale for n in ints] if base == FIXED else ints
    if pairs:
        return list(map(list, zip(flat[:count], flat[count:], strict=True)))
    return flat
