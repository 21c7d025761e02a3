"""Named queries on the ``gear`` table: what the sync knows, what it stores, what others read.

A gear id is Strava's (``b123`` a bike, ``g123`` shoes). GET /athlete lists the athlete's current
bikes and shoes (SummaryGear: name, distance, primary); GET /gear/{id} describes one
(DetailedGear adds brand, model, description). Gear that an activity names but the list lacks
is retired (or not visible to us): it is stored from GET /gear/{id}, or as an unnamed row when
Strava answers 404, so it is not asked for again before its refresh falls due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from stravasync.store.schema import activities, gear, sync_state
from stravasync.store.upsert import upsert_rows

KINDS = ("bike", "shoe")


@dataclass(frozen=True, slots=True)
class KnownGear:
    """What the sync needs to know of a stored gear row to decide whether to read it again."""

    id: str
    retired: bool
    detailed: bool
    named: bool
    refreshed_at: datetime


def kind_of(gear_id: str, data: Mapping[str, Any] | None = None) -> str:
    """``bike`` or ``shoe``: Strava's prefix (``b``/``g``); a frame type means a bike."""
    if data is not None and data.get("frame_type") is not None:
        return "bike"
    return "bike" if gear_id.startswith("b") else "shoe"


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)[:2000]


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def known(conn: Connection, athlete_id: int) -> dict[str, KnownGear]:
    rows = conn.execute(
        select(gear.c.id, gear.c.retired, gear.c.detailed, gear.c.name, gear.c.refreshed_at).where(
            gear.c.athlete_id == athlete_id
        )
    )
    return {
        r.id: KnownGear(r.id, bool(r.retired), bool(r.detailed), r.name is not None, r.refreshed_at)
        for r in rows
    }


def seen_ids(conn: Connection, athlete_id: int) -> set[str]:
    """The gear ids the athlete's mirrored (not deleted) activities name."""
    stmt = (
        select(activities.c.gear_id)
        .where(
            activities.c.athlete_id == athlete_id,
            activities.c.gear_id.is_not(None),
            activities.c.deleted_at.is_(None),
        )
        .distinct()
    )
    return {str(g) for g in conn.execute(stmt).scalars() if g}


def listed_at(conn: Connection, athlete_id: int) -> datetime | None:
    """When GET /athlete last listed the athlete's gear (None: never)."""
    return conn.execute(
        select(sync_state.c.gear_listed_at).where(sync_state.c.athlete_id == athlete_id)
    ).scalar()


def store_listed(
    conn: Connection,
    athlete_id: int,
    bikes: Sequence[Mapping[str, Any]],
    shoes: Sequence[Mapping[str, Any]],
    now: datetime,
) -> int:
    """Store the athlete's current gear (SummaryGear of GET /athlete); stored gear the list no
    longer holds is marked retired. Brand, model and description stay as GET /gear/{id} left
    them. Returns the rows written."""
    rows: list[dict[str, Any]] = []
    for kind, items in (("bike", bikes), ("shoe", shoes)):
        for item in items:
            gear_id = _text(item.get("id"))
            if gear_id is None:
                continue
            rows.append(
                {
                    "athlete_id": athlete_id,
                    "id": gear_id[:64],
                    "kind": kind,
                    "name": _text(item.get("name")),
                    "distance": _float(item.get("distance")),
                    "is_primary": bool(item.get("primary")),
                    "retired": bool(item.get("retired")),
                    "raw_json": dict(item),
                    "fetched_at": now,
                    "refreshed_at": now,
                }
            )
    if rows:
        upsert_rows(
            conn,
            gear,
            rows,
            key=("athlete_id", "id"),
            update=("kind", "name", "distance", "is_primary", "retired", "refreshed_at"),
        )
    listed = [r["id"] for r in rows]
    conn.execute(
        update(gear)
        .where(gear.c.athlete_id == athlete_id, gear.c.id.not_in(listed), gear.c.retired.is_(False))
        .values(retired=True, is_primary=False)
    )
    conn.execute(
        update(sync_state).where(sync_state.c.athlete_id == athlete_id).values(gear_listed_at=now)
    )
    return len(rows)


def store_detailed(
    conn: Connection,
    athlete_id: int,
    gear_id: str,
    data: Mapping[str, Any] | None,
    now: datetime,
    *,
    listed: bool | None,
) -> None:
    """Store one GET /gear/{id} answer (``data``), or, on a 404 (``None``), an unnamed row
    that says it was asked for. ``listed``: whether GET /athlete lists it (not retired);
    ``None`` when we cannot list (no ``profile:read_all``): the answer's ``retired`` stands."""
    if data is None:
        row: dict[str, Any] = {
            "athlete_id": athlete_id,
            "id": gear_id,
            "kind": kind_of(gear_id),
            "retired": listed is False,
            "fetched_at": now,
            "refreshed_at": now,
        }
        upsert_rows(conn, gear, [row], key=("athlete_id", "id"), update=("refreshed_at",))
        return
    row = {
        "athlete_id": athlete_id,
        "id": gear_id,
        "kind": kind_of(gear_id, data),
        "name": _text(data.get("name")),
        "brand": _text(data.get("brand_name")),
        "model": _text(data.get("model_name")),
        "description": _text(data.get("description")),
        "distance": _float(data.get("distance")),
        "is_primary": bool(data.get("primary")),
        "retired": bool(data.get("retired")) or listed is False,
        "detailed": True,
        "raw_json": dict(data),
        "fetched_at": now,
        "refreshed_at": now,
    }
    upsert_rows(
        conn, gear, [row], key=("athlete_id", "id"), update=[c for c in row if c != "fetched_at"]
    )


GEAR_COLUMNS = (
    "id",
    "kind",
    "name",
    "brand",
    "model",
    "description",
    "distance",
    "is_primary",
    "retired",
    "fetched_at",
    "refreshed_at",
)


def for_athlete(conn: Connection, athlete_id: int) -> list[dict[str, Any]]:
    """The athlete's gear, bikes then shoes, current before retired, by name."""
    stmt = (
        select(*(gear.c[c] for c in GEAR_COLUMNS))
        .where(gear.c.athlete_id == athlete_id)
        .order_by(gear.c.kind, gear.c.retired, func.coalesce(gear.c.name, gear.c.id), gear.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def names(conn: Connection, athlete_id: int, gear_ids: Iterable[str | None]) -> dict[str, str]:
    """Gear id -> name for the given ids of one athlete (unnamed gear left out)."""
    wanted = sorted({g for g in gear_ids if g})
    if not wanted:
        return {}
    stmt = select(gear.c.id, gear.c.name).where(
        gear.c.athlete_id == athlete_id, gear.c.id.in_(wanted[:1000]), gear.c.name.is_not(None)
    )
    return {r.id: r.name for r in conn.execute(stmt)}


def count(conn: Connection, athlete_id: int) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(gear).where(gear.c.athlete_id == athlete_id)
        ).scalar_one()
    )
