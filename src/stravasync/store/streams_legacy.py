"""An activity's streams as stored today: the ``streams_json`` column of its details.

Stand-in for ``stravasync.store.read_streams`` (compact stream storage, another change): the
one caller (:mod:`stravasync.export.trackfiles`) swaps its import when that lands.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from stravasync.store.schema import activity_details


def normalize_streams(raw: Any) -> dict[str, list[Any]] | None:
    """Strava's stream set (keyed by type, or a list of ``{type, data}``) as ``{type: data}``;
    None when there is no stream."""
    if isinstance(raw, list):
        raw = {str(s.get("type")): s for s in raw if isinstance(s, dict)}
    if not isinstance(raw, dict):
        return None
    out: dict[str, list[Any]] = {}
    for key, value in raw.items():
        data = value.get("data") if isinstance(value, dict) else value
        if isinstance(data, list):
            out[str(key)] = data
    return out or None


def read_streams(conn: Connection, activity_id: int) -> dict[str, list[Any]] | None:
    """The activity's streams by Strava key (time, latlng, altitude, ...), or None."""
    raw = conn.execute(
        select(activity_details.c.streams_json).where(activity_details.c.activity_id == activity_id)
    ).scalar()
    return normalize_streams(raw)
