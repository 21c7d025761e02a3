"""Queries on the mirror itself: activities, their details, tombstones and annotations.

Rows are written from raw Strava JSON (dicts) so the store never depends on the client's model
classes; ``summary_json`` keeps the raw SummaryActivity as last seen, typed columns are derived
from it, and a changed summary is detected by comparing raw JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select, update

from stravasync.clock import as_utc
from stravasync.store.mirror import removals
from stravasync.store.mirror.details import check_details
from stravasync.store.mirror.streams import delete_streams
from stravasync.store.mirror.summaries import (
    SOCIAL_FIELDS,
    _typed,
    changed_fields,
    is_detail,
    summary_of,
)
from stravasync.store.mirror.summary_rows import (
    JsonCodec,
    Row,
    confirm,
    json_codec,
    row_maker,
    stored_summaries,
    write_rows,
)
from stravasync.store.schema import (
    activities,
    activity_annotations,
    activity_details,
    activity_originals,
    activity_streams,
)
from stravasync.store.upsert import upsert_rows

NEVER_CONFIRMED = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class ApplyResult:
    """What an apply changed: ids created, updated (and whether only social counters moved)."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    social_only: list[int] = field(default_factory=list)
    unchanged: int = 0
    revived: list[int] = field(default_factory=list)
    detail_stale: list[int] = field(default_factory=list)  # stored details the change outdated

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.social_only or self.revived)


def _summary(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """:func:`summary_of`, without its copy when ``raw`` is a summary dict: apply only reads it."""
    if type(raw) is dict and raw.get("resource_state") != 3:
        return raw
    return summary_of(raw)


def _changed_fields(
    codec: JsonCodec, stored_text: str | None, summary: Mapping[str, Any], *, from_detail: bool
) -> set[str] | None:
    """The top-level fields a summary changed from the stored one (see :func:`changed_fields`).

    Where the column keeps the text sent (SQLite), equal text is an equal summary, found without
    parsing. Text can differ for an equal summary (JSONB renders its own; a summary edited in
    place has its keys in another order), so then the parsed JSON decides.
    """
    if codec.verbatim and stored_text == codec.dumps(summary):
        return None
    before = codec.loads(stored_text) if stored_text is not None else None
    return changed_fields(before, summary, from_detail=from_detail)


def apply_summaries(
    conn: Connection,
    athlete_id: int,
    raws: Iterable[Mapping[str, Any]],
    now: datetime,
    *,
    source: str = "api",
) -> ApplyResult:
    """Upsert summaries seen on Strava now: new rows, changed rows, and ``last_confirmed``.

    A row seen again after a tombstone is revived (e.g. made public again).
    """
    given = {int(r["id"]): r for r in raws if isinstance(r.get("id"), int)}
    summaries = {act_id: _summary(r) for act_id, r in given.items()}
    result = ApplyResult()
    if not summaries:
        return result
    codec = json_codec(conn)
    stored = stored_summaries(conn, list(summaries))
    # rows from elsewhere (an account archive) are not confirmed by Strava until listed
    confirmed = now if source == "api" else NEVER_CONFIRMED
    make_row = row_maker(conn, athlete_id, source=source, now=now, last_confirmed=confirmed)
    rows: list[Row] = []
    confirm_only: list[int] = []
    for act_id, summary in summaries.items():
        before = stored.get(act_id)
        if before is None:
            result.created.append(act_id)
        elif before[1]:
            result.revived.append(act_id)
        else:
            from_detail = is_detail(given[act_id])
            diff = _changed_fields(codec, before[0], summary, from_detail=from_detail)
            if not diff:  # equal, or differing only in fields a listing does not carry
                result.unchanged += 1
                if diff is None or from_detail:
                    confirm_only.append(act_id)  # keep the listing's shape as stored
                    continue
                # a listing after a detail: store the listing's shape, notify nothing
            elif diff <= SOCIAL_FIELDS:
                result.social_only.append(act_id)
            else:
                result.updated.append(act_id)
        rows.append(make_row(act_id, summary, codec.dumps(summary)))
    if rows:
        write_rows(conn, rows)
    if confirm_only:
        confirm(conn, confirm_only, now)
    changed = result.updated + result.social_only
    if changed:
        result.detail_stale = check_details(conn, {a: summaries[a] for a in changed}, now)
    return result


def apply_event_fields(
    conn: Connection, activity_id: int, fields: Mapping[str, Any], now: datetime
) -> bool:
    """Apply title/type/private from a webhook update straight into the stored summary.

    The stored detail is checked against the new summary (a new title comes from the form
    that also edits the description: the detail goes stale)."""
    row = conn.execute(
        select(activities.c.summary_json).where(
            and_(activities.c.id == activity_id, activities.c.deleted_at.is_(None))
        )
    ).first()
    if row is None or row.summary_json is None:
        return False
    summary = dict(row.summary_json)
    summary.update(fields)
    typed = _typed(summary)
    conn.execute(
        update(activities)
        .where(activities.c.id == activity_id)
        .values(summary_json=summary, updated_at=now, **{k: typed[k] for k in fields if k in typed})
    )
    check_details(conn, {activity_id: summary}, now)
    return True


def tombstone(conn: Connection, activity_ids: Iterable[int], now: datetime) -> list[int]:
    """Mark activities deleted on Strava; returns the ids that were live until now."""
    ids = list(activity_ids)
    live = (
        list(
            conn.execute(
                select(activities.c.id).where(
                    and_(activities.c.id.in_(ids), activities.c.deleted_at.is_(None))
                )
            ).scalars()
        )
        if ids
        else []
    )
    if live:
        conn.execute(
            update(activities)
            .where(activities.c.id.in_(live))
            .values(deleted_at=now, updated_at=now, detail_fetched_at=None, detail_stale_at=None)
        )
        conn.execute(delete(activity_details).where(activity_details.c.activity_id.in_(live)))
        conn.execute(delete(activity_originals).where(activity_originals.c.activity_id.in_(live)))
        delete_streams(conn, live)
        removals.note(conn, now=now, kind="delete")  # copies (the warehouse) must follow
    return live


def remove(conn: Connection, activity_ids: Iterable[int], *, now: datetime) -> int:
    """Delete rows outright (filtered out by the deployment); annotations stay."""
    ids = list(activity_ids)
    if not ids:
        return 0
    conn.execute(delete(activity_details).where(activity_details.c.activity_id.in_(ids)))
    conn.execute(delete(activity_originals).where(activity_originals.c.activity_id.in_(ids)))
    delete_streams(conn, ids)
    n = int(conn.execute(delete(activities).where(activities.c.id.in_(ids))).rowcount)
    if n:
        removals.note(conn, now=now, kind="delete")  # copies (the warehouse) must follow
    return n


def unconfirmed_since(
    conn: Connection,
    athlete_id: int,
    since: datetime,
    *,
    after_ts: int | None = None,
    before_ts: int | None = None,
) -> list[int]:
    """Live activities (optionally in a start-time window) not confirmed since ``since``."""
    cond = [
        activities.c.athlete_id == athlete_id,
        activities.c.deleted_at.is_(None),
        activities.c.last_confirmed < since,
    ]
    if after_ts is not None:
        cond.append(activities.c.start_date > _dt(after_ts))
    if before_ts is not None:
        cond.append(activities.c.start_date < _dt(before_ts))
    return list(conn.execute(select(activities.c.id).where(and_(*cond))).scalars())


def _dt(ts: int) -> datetime:
    from stravasync.clock import from_epoch

    return from_epoch(ts)


def newest_start(conn: Connection, athlete_id: int) -> int | None:
    value = conn.execute(
        select(func.max(activities.c.start_date)).where(
            and_(activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None))
        )
    ).scalar()
    return int(as_utc(value).timestamp()) if value else None


def count_live(conn: Connection, athlete_id: int) -> int:
    return int(
        conn.execute(
            select(func.count()).where(
                and_(activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None))
            )
        ).scalar_one()
    )


def store_detail(
    conn: Connection,
    activity_id: int,
    detail: Mapping[str, Any],
    now: datetime,
) -> None:
    """Keep a DetailedActivity (laps, splits, efforts as JSON columns) for a stored activity
    (its streams, fetched apart, go to ``streams.store_streams``)."""
    row = {
        "activity_id": activity_id,
        "detail_json": dict(detail),
        "laps_json": detail.get("laps"),
        "splits_metric_json": detail.get("splits_metric"),
        "splits_standard_json": detail.get("splits_standard"),
        "segment_efforts_json": detail.get("segment_efforts"),
        "best_efforts_json": detail.get("best_efforts"),
        "description": detail.get("description")
        if isinstance(detail.get("description"), str)
        else None,
        "calories": detail.get("calories")
        if isinstance(detail.get("calories"), (int, float))
        else None,
        "fetched_at": now,
    }
    upsert_rows(conn, activity_details, [row], key=["activity_id"])
    conn.execute(
        update(activities)
        .where(activities.c.id == activity_id)
        .values(detail_fetched_at=now, detail_stale_at=None)
    )


def athlete_of(conn: Connection, activity_id: int) -> int | None:
    value = conn.execute(
        select(activities.c.athlete_id).where(activities.c.id == activity_id)
    ).scalar()
    return int(value) if value is not None else None


def purge_athlete(conn: Connection, athlete_id: int) -> int:
    """Delete every mirrored activity (and details, annotations) of an athlete."""
    ids = list(
        conn.execute(select(activities.c.id).where(activities.c.athlete_id == athlete_id)).scalars()
    )
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        conn.execute(delete(activity_details).where(activity_details.c.activity_id.in_(chunk)))
        conn.execute(
            delete(activity_annotations).where(activity_annotations.c.activity_id.in_(chunk))
        )
    conn.execute(delete(activity_originals).where(activity_originals.c.athlete_id == athlete_id))
    conn.execute(delete(activity_streams).where(activity_streams.c.athlete_id == athlete_id))
    conn.execute(delete(activities).where(activities.c.athlete_id == athlete_id))
    return len(ids)


def live_summaries(conn: Connection, athlete_id: int) -> dict[int, dict[str, Any]]:
    """Every live activity's stored summary JSON, by id (tests, reconcile, exports)."""
    stmt = select(activities.c.id, activities.c.summary_json).where(
        and_(activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None))
    )
    return {row.id: dict(row.summary_json or {}) for row in conn.execute(stmt)}
