"""The exported tables: fixed column lists with types, and pure row builders.

One spec drives every format (CSV header, Parquet schema, DuckDB DDL), so the formats agree.
Kinds: ``int`` (64-bit), ``float``, ``str``, ``bool``, ``ts`` (UTC timestamp), ``local``
(naive local wall time).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

Spec = tuple[tuple[str, str], ...]

ACTIVITIES: Spec = (
    ("id", "int"),
    ("athlete_id", "int"),
    ("name", "str"),
    ("sport_type", "str"),
    ("type", "str"),
    ("workout_type", "int"),
    ("start_date", "ts"),
    ("start_date_local", "local"),
    ("timezone", "str"),
    ("utc_offset", "float"),
    ("distance", "float"),
    ("moving_time", "int"),
    ("elapsed_time", "int"),
    ("total_elevation_gain", "float"),
    ("average_speed", "float"),
    ("max_speed", "float"),
    ("average_heartrate", "float"),
    ("max_heartrate", "float"),
    ("average_watts", "float"),
    ("kilojoules", "float"),
    ("trainer", "bool"),
    ("commute", "bool"),
    ("manual", "bool"),
    ("private", "bool"),
    ("visibility", "str"),
    ("gear_id", "str"),
    ("kudos_count", "int"),
    ("comment_count", "int"),
    ("achievement_count", "int"),
    ("pr_count", "int"),
    ("source", "str"),
    ("first_seen", "ts"),
    ("last_confirmed", "ts"),
    ("updated_at", "ts"),
    ("detail_fetched_at", "ts"),
    ("description", "str"),
    ("calories", "float"),
    ("summary_json", "str"),
)
LAPS: Spec = (
    ("activity_id", "int"),
    ("athlete_id", "int"),
    ("lap_index", "int"),
    ("id", "int"),
    ("name", "str"),
    ("start_date", "str"),
    ("start_date_local", "str"),
    ("distance", "float"),
    ("elapsed_time", "int"),
    ("moving_time", "int"),
    ("total_elevation_gain", "float"),
    ("average_speed", "float"),
    ("max_speed", "float"),
    ("average_cadence", "float"),
    ("average_watts", "float"),
    ("average_heartrate", "float"),
    ("max_heartrate", "float"),
    ("start_index", "int"),
    ("end_index", "int"),
    ("pace_zone", "int"),
)
SPLITS: Spec = (
    ("activity_id", "int"),
    ("athlete_id", "int"),
    ("units", "str"),
    ("split", "int"),
    ("distance", "float"),
    ("elapsed_time", "int"),
    ("moving_time", "int"),
    ("elevation_difference", "float"),
    ("average_speed", "float"),
    ("average_grade_adjusted_speed", "float"),
    ("average_heartrate", "float"),
    ("pace_zone", "int"),
)
SEGMENT_EFFORTS: Spec = (
    ("activity_id", "int"),
    ("athlete_id", "int"),
    ("id", "int"),
    ("name", "str"),
    ("segment_id", "int"),
    ("segment_name", "str"),
    ("start_date", "str"),
    ("start_date_local", "str"),
    ("distance", "float"),
    ("elapsed_time", "int"),
    ("moving_time", "int"),
    ("average_cadence", "float"),
    ("average_watts", "float"),
    ("average_heartrate", "float"),
    ("max_heartrate", "float"),
    ("start_index", "int"),
    ("end_index", "int"),
    ("kom_rank", "int"),
    ("pr_rank", "int"),
    ("hidden", "bool"),
)
# Never tokens, scopes or the raw profile: only what a report needs.
ATHLETES: Spec = (
    ("id", "int"),
    ("username", "str"),
    ("firstname", "str"),
    ("lastname", "str"),
    ("status", "str"),
    ("timezone", "str"),
    ("connected_at", "ts"),
    ("deauthorized_at", "ts"),
)
# One row per sample of an activity's streams; ``sample`` is its index (0, 1, ...), ``time_s``
# seconds since the start (Strava's ``time``), units Strava's: m, m, m/s, bpm, rpm, W, °C, %.
STREAMS: Spec = (
    ("activity_id", "int"),
    ("athlete_id", "int"),
    ("sample", "int"),
    ("time_s", "int"),
    ("lat", "float"),
    ("lng", "float"),
    ("distance", "float"),
    ("altitude", "float"),
    ("velocity", "float"),
    ("heartrate", "int"),
    ("cadence", "int"),
    ("watts", "int"),
    ("temp", "int"),
    ("moving", "bool"),
    ("grade", "float"),
)
# the column of STREAMS each Strava stream type fills (``latlng`` fills lat and lng)
STREAM_COLUMNS = {
    "time": "time_s",
    "distance": "distance",
    "altitude": "altitude",
    "velocity_smooth": "velocity",
    "heartrate": "heartrate",
    "cadence": "cadence",
    "watts": "watts",
    "temp": "temp",
    "moving": "moving",
    "grade_smooth": "grade",
}
# Bikes and shoes (GET /athlete, GET /gear/{id}); activities name them by ``gear_id``.
GEAR: Spec = (
    ("athlete_id", "int"),
    ("id", "str"),
    ("kind", "str"),
    ("name", "str"),
    ("brand", "str"),
    ("model", "str"),
    ("description", "str"),
    ("distance", "float"),
    ("is_primary", "bool"),
    ("retired", "bool"),
    ("fetched_at", "ts"),
    ("refreshed_at", "ts"),
)
DETAIL_TABLES: dict[str, Spec] = {
    "laps": LAPS,
    "splits": SPLITS,
    "segment_efforts": SEGMENT_EFFORTS,
}
ALL_TABLES: dict[str, Spec] = {
    "activities": ACTIVITIES,
    **DETAIL_TABLES,
    "streams": STREAMS,
    "athletes": ATHLETES,
    "gear": GEAR,
}


def names(spec: Spec) -> list[str]:
    return [name for name, _ in spec]


def _coerce(value: Any, kind: str) -> Any:
    """A JSON value as the column kind, or None when it does not fit (never raises)."""
    if value is None:
        return None
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return int(value)
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value)
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind in ("ts", "local"):
        return value if isinstance(value, datetime) else None
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def conform(row: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
    """A dict with exactly the spec's columns, each coerced to its kind."""
    return {name: _coerce(row.get(name), kind) for name, kind in spec}


def activity_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """An exported activity from a stored row (typed columns, summary JSON as text)."""
    values = dict(row)
    if values.get("summary_json") is not None:
        values["summary_json"] = json.dumps(values["summary_json"], separators=(",", ":"))
    return conform(values, ACTIVITIES)


def lap_rows(activity_id: int, athlete_id: int, laps: Any) -> Iterator[dict[str, Any]]:
    for index, lap in enumerate(laps if isinstance(laps, list) else []):
        if isinstance(lap, dict):
            base = {"activity_id": activity_id, "athlete_id": athlete_id, "lap_index": index}
            yield conform({**lap, **base}, LAPS)


def split_rows(
    activity_id: int, athlete_id: int, units: str, splits: Any
) -> Iterator[dict[str, Any]]:
    for split in splits if isinstance(splits, list) else []:
        if isinstance(split, dict):
            base = {"activity_id": activity_id, "athlete_id": athlete_id, "units": units}
            yield conform({**split, **base}, SPLITS)


def effort_rows(activity_id: int, athlete_id: int, efforts: Any) -> Iterator[dict[str, Any]]:
    for effort in efforts if isinstance(efforts, list) else []:
        if isinstance(effort, dict):
            segment = effort.get("segment") if isinstance(effort.get("segment"), dict) else {}
            extra = {
                "activity_id": activity_id,
                "athlete_id": athlete_id,
                "segment_id": (segment or {}).get("id"),
                "segment_name": (segment or {}).get("name"),
            }
            yield conform({**effort, **extra}, SEGMENT_EFFORTS)


def detail_rows(detail: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Flatten one stored ``activity_details`` row (+ ``athlete_id``) into child-table rows."""
    act, ath = int(detail["activity_id"]), int(detail["athlete_id"])
    return {
        "laps": list(lap_rows(act, ath, detail.get("laps_json"))),
        "splits": [
            *split_rows(act, ath, "metric", detail.get("splits_metric_json")),
            *split_rows(act, ath, "standard", detail.get("splits_standard_json")),
        ],
        "segment_efforts": list(effort_rows(act, ath, detail.get("segment_efforts_json"))),
    }


_KIND_TYPES: dict[str, tuple[type, ...]] = {"int": (int,), "float": (float, int), "bool": (bool,)}


def _column(values: list[Any], kind: str, n: int) -> list[Any]:
    """``values`` as the column kind (each one that does not fit: None), padded to ``n``."""
    ok = _KIND_TYPES[kind]
    fits = all(type(v) in ok for v in values)  # bool is no int here: type(), not isinstance
    out = list(values) if fits else [_coerce(v, kind) for v in values]
    return out + [None] * (n - len(out))


def _pair_part(pair: Any, index: int) -> float | None:
    if isinstance(pair, list) and len(pair) == 2:
        return _coerce(pair[index], "float")  # type: ignore[no-any-return]
    return None


def stream_columns(
    activity_id: int, athlete_id: int, arrays: Mapping[str, list[Any]]
) -> tuple[dict[str, list[Any]], int]:
    """The ``streams`` rows of one activity as columns (``read_streams``'s arrays in), and how
    many rows: one per sample of its longest stream; a shorter stream leaves NULLs."""
    n = max((len(v) for v in arrays.values() if isinstance(v, list)), default=0)
    cols: dict[str, list[Any]] = {
        "activity_id": [activity_id] * n,
        "athlete_id": [athlete_id] * n,
        "sample": list(range(n)),
    }
    kinds = dict(STREAMS)
    latlng = arrays.get("latlng")
    pairs = latlng if isinstance(latlng, list) else []
    cols["lat"] = _column([_pair_part(p, 0) for p in pairs], "float", n)
    cols["lng"] = _column([_pair_part(p, 1) for p in pairs], "float", n)
    for key, col in STREAM_COLUMNS.items():
        values = arrays.get(key)
        cols[col] = _column(values if isinstance(values, list) else [], kinds[col], n)
    return {name: cols[name] for name, _ in STREAMS}, n
