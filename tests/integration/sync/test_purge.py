"""A deauthorization purge leaves nothing from Strava about the athlete, in any table.

The engine syncs a few athletes against the simulator with webhooks, notifications, stats and
details on; one athlete gets an annotation, a failed job, and then revokes access on Strava.
After the grace period the purge job runs. The check walks EVERY table of the schema's metadata:
a table is either one that held rows about the leaver before the purge (all gone after) or one
listed in ``NEVER_ABOUT_AN_ATHLETE`` with a reason. A new table that nobody classified fails here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from stravasync.store.mirror import activities as acts
from stravasync.store.mirror import activity_reads as reads
from stravasync.store.mirror import originals
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.people import me
from stravasync.store.schema import athletes, jobs, metadata
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 3, tzinfo=UTC)

# Tables whose rows are never about one athlete (checked anyway: none may mention the leaver).
NEVER_ABOUT_AN_ATHLETE = {
    "rate_budget": "the application's four quota counters",
    "rate_history": "finished quota windows",
    "oauth_states": "CSRF states of connections not yet completed (no athlete known)",
    "scheduler_jobs": "the periodic jobs' timetable",
    "app_settings": "scheduler paused, webhook subscription id",
    "app_state": "the application's own state towards Strava (inactive, invalid client)",
    "sync_tallies": "counts over every athlete (how many are synced automatically)",
}


def _mentions(row: dict[str, Any], needles: set[str]) -> bool:
    text = json.dumps(row, default=str)
    return any(n in text for n in needles)


def _rows_about(conn: Connection, needles: set[str]) -> dict[str, int]:
    """Per table of the metadata: rows whose any column (JSON included) holds a needle."""
    found: dict[str, int] = {}
    for table in metadata.sorted_tables:
        rows = [dict(r) for r in conn.execute(select(table)).mappings()]
        n = sum(1 for r in rows if _mentions(r, needles))
        found[table.name] = n
    return found


def test_purge_removes_every_row_about_the_athlete(db_url: str, tmp_path: Path) -> None:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=12,
        athletes=3,
        history_days=120,
        webhooks=True,
        overrides={
            "sync_purge_grace_days": 0.25,
            "notify_url": "http://owner.test/hooks",
            "notify_secret": "s" * 32,
            "sync_enrich_streams": True,
        },
    )
    try:
        for athlete_id in lab.sim.athlete_ids():
            lab.connect(athlete_id)
        lab.run_until_idle()
        lab.advance(6 * 3600, step=300)
        leaver, stayer = lab.sim.athlete_ids()[-1], lab.sim.athlete_ids()[0]
        now = lab.clock.now()
        with lab.db.transaction() as conn:
            leaver_acts = sorted(acts.live_summaries(conn, leaver))
            stayer_count = len(acts.live_summaries(conn, stayer))
            reads.replace_annotations(conn, leaver_acts[0], {"race": "club champs"}, now=now)
            originals.put_originals(  # as an archive import keeps them
                conn,
                [originals.describe(leaver_acts[0], leaver, "1.gpx", "gpx", b"<gpx/>", now)],
            )
            me.open_session(  # signed in at /me, with a line in the audit log
                conn, "leaver-secret", athlete_id=leaver, csrf="c", now=now, expires_at=now
            )
            me.record(conn, leaver, "pause", now)
            jobs_q.enqueue(
                conn,
                kind="verify",
                athlete_id=leaver,
                dedupe_key=f"verify:{leaver}",
                due_at=now,
                now=now,
            )
        lab.sim.deauthorize_athlete(leaver)
        lab.advance(3600, step=120)  # the event arrives: deauthorized, purge scheduled
        with lab.db.engine.connect() as conn:
            assert conn.execute(
                select(athletes.c.status).where(athletes.c.id == leaver)
            ).scalar_one() == ("deauthorized")
        # sample needles: the id, and the ids of a few of their activities (ids are long)
        needles = {str(leaver), *(str(a) for a in leaver_acts[:20])}
        with lab.db.engine.connect() as conn:
            before = _rows_about(conn, needles)
        about = {name for name, n in before.items() if n}
        never = {name for name in before if name in NEVER_ABOUT_AN_ATHLETE}
        unclassified = set(before) - about - never
        assert not unclassified, (
            f"tables neither filled about the athlete by this test nor declared free of athlete "
            f"data: {sorted(unclassified)}; add purge handling (store/people/purge.py) and list "
            "them"
        )
        assert about >= {
            "athletes",
            "tokens",
            "sync_state",
            "activities",
            "activity_details",
            "annotations",
            "activity_originals",
            "activity_streams",
            "athlete_stats",
            "gear",
            "webhook_events",
            "notifications",
            "sync_sessions",
            "sync_logs",
            "jobs",
            "athlete_sessions",
            "athlete_actions",
        }, before

        lab.advance(8 * 3600, step=600)  # past the grace: the purge job runs

        with lab.db.engine.connect() as conn:
            after = _rows_about(conn, needles)
            audit = [
                dict(r) for r in conn.execute(select(jobs).where(jobs.c.kind == "purge")).mappings()
            ]
            stayer_after = len(acts.live_summaries(conn, stayer))
        assert {name: n for name, n in after.items() if n} == {}, after
        assert len(audit) == 1 and audit[0]["athlete_id"] is None and audit[0]["state"] == "done"
        removed = audit[0]["payload_json"]["removed"]
        assert removed["activities"] >= len(leaver_acts) and removed["athletes"] == 1
        assert stayer_after >= stayer_count > 0  # nobody else lost anything
    finally:
        lab.close()


def test_reconnect_within_the_grace_keeps_the_data(db_url: str, tmp_path: Path) -> None:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=13,
        athletes=2,
        history_days=60,
        webhooks=True,
        overrides={"sync_purge_grace_days": 0.25},
    )
    try:
        for athlete_id in lab.sim.athlete_ids():
            lab.connect(athlete_id)
        lab.run_until_idle()
        leaver = lab.sim.athlete_ids()[-1]
        with lab.db.engine.connect() as conn:
            held = len(acts.live_summaries(conn, leaver))
        assert held > 0
        lab.sim.deauthorize_athlete(leaver)
        lab.advance(1800, step=120)
        lab.connect(leaver)  # back before the purge is due
        lab.advance(8 * 3600, step=600)
        with lab.db.engine.connect() as conn:
            status = conn.execute(
                select(athletes.c.status).where(athletes.c.id == leaver)
            ).scalar_one()
            kept = len(acts.live_summaries(conn, leaver))
        assert status == "active" and kept >= held
    finally:
        lab.close()
