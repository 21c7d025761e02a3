"""Purging a deauthorized athlete: every row that came from Strava about them, in one transaction.

Strava's terms want an athlete's data gone once they revoke access (after our grace period).
"Their data" is every row that names them or one of their activities: the athlete row itself
(profile, names, scopes), tokens, sync state, activities with details and streams, local
annotations and original files kept from an export, their gear (bikes, shoes), cached stats,
webhook events they own, notifications about them, sync sessions and log lines, other jobs about
them, and their signed-in sessions at ``/me`` (their audit lines there stay, without their id).

What stays: one anonymous audit row, the purge job itself, rewritten to hold no Strava data
(``athlete_id`` NULL, a random dedupe key, the per-table counts removed and when). It proves a
purge happened without saying whose. Tables that never hold athlete data (rate budget, OAuth
states, scheduler jobs, app settings) are untouched; the test in
``tests/integration/sync/test_purge.py`` checks every table of the schema.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update

from stravasync.store.mirror import removals
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.pending import parking
from stravasync.store.people import me
from stravasync.store.schema import (
    activities,
    activity_annotations,
    activity_details,
    activity_originals,
    activity_streams,
    athlete_stats,
    athletes,
    gear,
    jobs,
    notifications,
    sync_logs,
    sync_sessions,
    sync_state,
    tokens,
    webhook_events,
)

CHUNK = 900  # ids per IN (...) list: below SQLite's default variable limit


def purge_athlete(
    conn: Connection, athlete_id: int, *, keep_job: int | None = None
) -> dict[str, int]:
    """Delete everything about ``athlete_id``; rows removed per table.

    ``keep_job``: the id of the purge job doing this (left for :func:`anonymize_job`).
    """
    removed: dict[str, int] = {}

    def count(table: str, n: int) -> None:
        if n:
            removed[table] = removed.get(table, 0) + n

    ids = list(
        conn.execute(select(activities.c.id).where(activities.c.athlete_id == athlete_id)).scalars()
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        count(
            "activity_details",
            conn.execute(
                delete(activity_details).where(activity_details.c.activity_id.in_(chunk))
            ).rowcount,
        )
        count(
            "annotations",
            conn.execute(
                delete(activity_annotations).where(activity_annotations.c.activity_id.in_(chunk))
            ).rowcount,
        )
        count(
            "notifications",
            conn.execute(
                delete(notifications).where(notifications.c.activity_id.in_(chunk))
            ).rowcount,
        )
    count(
        "activity_originals",
        conn.execute(
            delete(activity_originals).where(activity_originals.c.athlete_id == athlete_id)
        ).rowcount,
    )
    count(
        "activity_streams",
        conn.execute(
            delete(activity_streams).where(activity_streams.c.athlete_id == athlete_id)
        ).rowcount,
    )
    count(
        "activities",
        conn.execute(delete(activities).where(activities.c.athlete_id == athlete_id)).rowcount,
    )
    sessions = select(sync_sessions.c.id).where(sync_sessions.c.athlete_id == athlete_id)
    count(
        "sync_logs",
        conn.execute(
            delete(sync_logs).where(
                or_(sync_logs.c.athlete_id == athlete_id, sync_logs.c.session_id.in_(sessions))
            )
        ).rowcount,
    )
    other_jobs = jobs.c.athlete_id == athlete_id
    if keep_job is not None:
        other_jobs = other_jobs & (jobs.c.id != keep_job)
    athlete_events = (webhook_events.c.object_type == "athlete") & (
        webhook_events.c.object_id == athlete_id
    )
    simple: list[tuple[str, Any]] = [
        ("sync_sessions", delete(sync_sessions).where(sync_sessions.c.athlete_id == athlete_id)),
        ("athlete_stats", delete(athlete_stats).where(athlete_stats.c.athlete_id == athlete_id)),
        ("gear", delete(gear).where(gear.c.athlete_id == athlete_id)),
        (
            "webhook_events",
            delete(webhook_events).where(
                or_(webhook_events.c.owner_id == athlete_id, athlete_events)
            ),
        ),
        ("notifications", delete(notifications).where(notifications.c.athlete_id == athlete_id)),
        ("jobs", delete(jobs).where(other_jobs)),
        ("tokens", delete(tokens).where(tokens.c.athlete_id == athlete_id)),
        ("sync_state", delete(sync_state).where(sync_state.c.athlete_id == athlete_id)),
        ("athletes", delete(athletes).where(athletes.c.id == athlete_id)),
    ]
    parking.forget(conn, athlete_id)
    for table, stmt in simple:
        count(table, conn.execute(stmt).rowcount)
    for table, n in me.forget_athlete(conn, athlete_id).items():
        count(table, n)
    return removed


def anonymize_job(conn: Connection, job_id: int, *, removed: dict[str, int], now: datetime) -> None:
    """Turn the purge job into the anonymous audit row: done, no athlete id, what was removed."""
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id)
        .values(
            athlete_id=None,
            dedupe_key=f"purged:{uuid.uuid4().hex}",
            payload_json={"purged_at": now.isoformat(), "removed": removed},
            state="done",
            lease_owner=None,
            lease_expires_at=None,
            last_error=None,
            updated_at=now,
        )
    )


def purge_on_request(conn: Connection, athlete_id: int, *, now: datetime) -> dict[str, int]:
    """The athlete asked for their data to go now: the same purge as after a revocation's
    grace, with the same anonymous audit row (a purge job, done) and the warehouse told."""
    key = f"purge:{athlete_id}:request:{uuid.uuid4().hex}"
    jobs_q.enqueue(conn, kind="purge", athlete_id=athlete_id, dedupe_key=key, due_at=now, now=now)
    job_id = int(conn.execute(select(jobs.c.id).where(jobs.c.dedupe_key == key)).scalar_one())
    removed = purge_athlete(conn, athlete_id, keep_job=job_id)
    removals.note(conn, now=now, kind="purge")
    anonymize_job(conn, job_id, removed=removed, now=now)
    return removed
