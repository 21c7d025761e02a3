"""Queries about athletes and their per-athlete sync state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select, update

from stravasync.store.pending.parking import repark
from stravasync.store.schema import activities, athletes, sync_state
from stravasync.store.upsert import upsert_rows


@dataclass(frozen=True, slots=True)
class AthleteOverview:
    athlete_id: int
    name: str
    status: str
    hidden: bool
    auto_sync: bool
    scopes: str
    activity_count: int
    backfill_done: bool
    last_success_at: datetime | None
    due_at: datetime | None
    last_error: str | None
    dead: bool
    strava_count: int | None = None  # rides + runs + swims on Strava: a lower bound
    strava_count_at: datetime | None = None
    purge_after: datetime | None = None  # a deauthorized athlete's data goes then

    def as_json(self) -> dict[str, Any]:
        return {
            "athlete_id": self.athlete_id,
            "name": self.name,
            "status": self.status,
            "hidden": self.hidden,
            "auto_sync": self.auto_sync,
            "scopes": self.scopes,
            "activity_count": self.activity_count,
            "backfill_done": self.backfill_done,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "last_error": self.last_error,
            "dead": self.dead,
            "strava_count": self.strava_count,
            "strava_count_at": self.strava_count_at.isoformat() if self.strava_count_at else None,
        }


def upsert_athlete(
    conn: Connection,
    *,
    athlete_id: int,
    profile: dict[str, Any],
    scopes: str,
    now: datetime,
) -> None:
    """Create or refresh an athlete after a (re)connection; a reconnect makes them active,
    except an athlete an operator blocked: a block is lifted by an operator only (signing in at
    ``/me`` reconnects, and must not undo it).

    ``profile`` is the kept profile (:func:`stravasync.strava.profile.athlete_profile`); an
    empty one leaves the stored names alone. Also makes sure a sync_state row exists, due now,
    so the planner picks them up (unparked: store.parking).
    """
    before = conn.execute(
        select(athletes.c.status, athletes.c.status_reason).where(athletes.c.id == athlete_id)
    ).first()
    row: dict[str, Any] = {
        "id": athlete_id,
        **_profile_columns(profile),
        "status": "active",
        "scopes": scopes,
        "connected_at": now,
        "deauthorized_at": None,
        "purge_after": None,
        "status_reason": None,
        "created_at": now,
        "updated_at": now,
    }
    keep = ("id", "created_at") if profile else ("id", "created_at", *PROFILE_COLUMNS)
    update_cols = [c for c in row if c not in keep]
    upsert_rows(conn, athletes, [row], key=["id"], update=update_cols)
    if before is not None and before.status == "blocked":
        set_status(conn, athlete_id, "blocked", reason=before.status_reason, now=now)
    upsert_rows(
        conn,
        sync_state,
        [{"athlete_id": athlete_id, "due_at": now, "parked": True, "updated_at": now}],
        key=["athlete_id"],
        update=(),
    )
    repark(conn, athlete_id, now)


def display_name(firstname: str | None, lastname: str | None, athlete_id: int) -> str:
    """'First Last', or the id when Strava gave no name."""
    return " ".join(p for p in (firstname, lastname) if p) or str(athlete_id)


PROFILE_COLUMNS = ("username", "firstname", "lastname", "profile_json", "name_key", "lastname_key")


def search_key(text: str | None) -> str | None:
    """The lowercased form names are searched by (None when blank)."""
    folded = " ".join((text or "").split()).lower()
    return folded or None


def _profile_columns(profile: dict[str, str]) -> dict[str, Any]:
    first, last = profile.get("firstname"), profile.get("lastname")
    return {
        "username": profile.get("username"),
        "firstname": first,
        "lastname": last,
        "profile_json": profile,
        "name_key": search_key(f"{first or ''} {last or ''}"),
        "lastname_key": search_key(last),
    }


def update_profile(
    conn: Connection, athlete_id: int, profile: dict[str, str], *, now: datetime
) -> bool:
    """Refresh a known athlete's names from a later answer carrying them; no-op when empty."""
    if not profile:
        return False
    values = {**_profile_columns(profile), "updated_at": now}
    result = conn.execute(update(athletes).where(athletes.c.id == athlete_id).values(**values))
    return result.rowcount > 0


def get_athlete(conn: Connection, athlete_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(athletes).where(athletes.c.id == athlete_id)).mappings().first()
    return dict(row) if row else None


def set_status(
    conn: Connection, athlete_id: int, status: str, *, reason: str | None, now: datetime
) -> bool:
    """Set an athlete's status (active, reconnect_needed, deauthorized, blocked)."""
    values: dict[str, Any] = {"status": status, "status_reason": reason, "updated_at": now}
    if status == "deauthorized":
        values["deauthorized_at"] = now
    result = conn.execute(update(athletes).where(athletes.c.id == athlete_id).values(**values))
    repark(conn, athlete_id, now)
    return result.rowcount > 0


def set_flags(
    conn: Connection,
    athlete_id: int,
    *,
    now: datetime,
    hidden: bool | None = None,
    auto_sync: bool | None = None,
) -> bool:
    values: dict[str, Any] = {"updated_at": now}
    if hidden is not None:
        values["hidden"] = hidden
    if auto_sync is not None:
        values["auto_sync"] = auto_sync
    result = conn.execute(update(athletes).where(athletes.c.id == athlete_id).values(**values))
    if auto_sync is not None:
        repark(conn, athlete_id, now)
    return result.rowcount > 0


def overview_select() -> Select[Any]:
    """Athletes with sync state and live (not deleted) activity count, by id (no filter).

    The count is a correlated subquery (ix_activities_athlete_id), so a page of athletes
    counts only its own activities."""
    count = (
        select(func.count())
        .select_from(activities)
        .where(activities.c.athlete_id == athletes.c.id, activities.c.deleted_at.is_(None))
        .correlate(athletes)
        .scalar_subquery()
    )
    return (
        select(
            athletes.c.id,
            athletes.c.firstname,
            athletes.c.lastname,
            athletes.c.status,
            athletes.c.hidden,
            athletes.c.auto_sync,
            athletes.c.scopes,
            athletes.c.purge_after,
            count.label("n"),
            sync_state.c.backfill_done,
            sync_state.c.last_success_at,
            sync_state.c.due_at,
            sync_state.c.last_error,
            sync_state.c.dead,
            sync_state.c.strava_count,
            sync_state.c.strava_count_at,
        )
        .select_from(athletes)
        .outerjoin(sync_state, sync_state.c.athlete_id == athletes.c.id)
        .order_by(athletes.c.id)
    )


def overview_rows(conn: Connection, stmt: Select[Any]) -> list[AthleteOverview]:
    return [
        AthleteOverview(
            athlete_id=r.id,
            name=display_name(r.firstname, r.lastname, r.id),
            status=r.status,
            hidden=bool(r.hidden),
            auto_sync=bool(r.auto_sync),
            scopes=r.scopes,
            activity_count=int(r.n or 0),
            backfill_done=bool(r.backfill_done),
            last_success_at=r.last_success_at,
            due_at=r.due_at,
            last_error=r.last_error,
            dead=bool(r.dead),
            strava_count=r.strava_count,
            strava_count_at=r.strava_count_at,
            purge_after=r.purge_after,
        )
        for r in conn.execute(stmt)
    ]


def overview(
    conn: Connection, *, include_hidden: bool = True, athlete_id: int | None = None
) -> list[AthleteOverview]:
    """Every athlete (or one) with sync state and live activity count, by id."""
    stmt = overview_select()
    if not include_hidden:
        stmt = stmt.where(athletes.c.hidden.is_(False))
    if athlete_id is not None:
        stmt = stmt.where(athletes.c.id == athlete_id)
    return overview_rows(conn, stmt)


def set_purge_after(
    conn: Connection, athlete_id: int, when: datetime | None, *, now: datetime
) -> None:
    conn.execute(
        update(athletes).where(athletes.c.id == athlete_id).values(purge_after=when, updated_at=now)
    )


def connected_count(conn: Connection) -> int:
    """Athletes holding a connection to the application (every status but deauthorized)."""
    value = conn.execute(
        select(func.count()).select_from(athletes).where(athletes.c.status != "deauthorized")
    ).scalar_one()
    return int(value)


def is_connected(conn: Connection, athlete_id: int) -> bool:
    value = conn.execute(
        select(athletes.c.status).where(athletes.c.id == athlete_id)
    ).scalar_one_or_none()
    return value is not None and value != "deauthorized"


def visible(conn: Connection, athlete_id: int, *, include_hidden: bool) -> bool:
    """The athlete exists and is not hidden (or hidden ones are asked for)."""
    hidden = conn.execute(
        select(athletes.c.hidden).where(athletes.c.id == athlete_id)
    ).scalar_one_or_none()
    return hidden is not None and (include_hidden or not hidden)
