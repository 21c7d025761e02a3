"""Notifications are outbox rows written with the change: every activity the mirror creates,
updates or deletes, and every athlete it stops (deauthorized, reconnect needed), has its row; a
change that does not commit leaves none.

The engine runs against the in-process simulator in virtual time, with webhooks on and edits
and deletions frequent (``churn``), so updates arrive both as events and through re-listing.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.store.mirror import activities as acts
from stravasync.store.mirror.summaries import SOCIAL_FIELDS
from stravasync.store.pending import syncstate
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import notifications
from stravasync.sync.context import LeaseLost, PassContext
from stravasync.sync.passes import run_backfill

START = datetime(2026, 4, 6, 7, 3, tzinfo=UTC)


@pytest.fixture
def lab(db_url: str, tmp_path: Path) -> Lab:
    lab = Lab(
        db_url=db_url,
        sim_config=SimConfig(
            seed=31,
            athletes=10,
            history_days=40,
            quota="unlimited",
            churn=8.0,
            late_connect_fraction=0.0,
            heavy_fraction=0.0,
        ),
        start=START,
        work_dir=tmp_path,
        overrides={
            "sync_enrich": False,
            "rate_tier": "unlimited",
            "notify_url": "http://owner.test/hooks",
        },
    )
    for athlete_id in lab.sim.athlete_ids():
        lab.connect(athlete_id)
    return lab


def _rows(lab: Lab, after_id: int = 0) -> list[dict[str, Any]]:
    with lab.db.engine.connect() as conn:
        stmt = select(notifications).where(notifications.c.id > after_id)
        return [dict(r) for r in conn.execute(stmt.order_by(notifications.c.id)).mappings()]


def _mirror(lab: Lab) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    with lab.db.engine.connect() as conn:
        for athlete_id in lab.sim.athlete_ids():
            out.update(acts.live_summaries(conn, athlete_id))
    return out


def _ids(rows: list[dict[str, Any]], event: str) -> set[int]:
    return {int(r["activity_id"]) for r in rows if r["event"] == event}


def _substantive(summary: dict[str, Any]) -> dict[str, Any]:
    """What the owning app is told about: everything but kudos, comments and the like."""
    return {k: v for k, v in summary.items() if k not in SOCIAL_FIELDS}


def test_every_change_to_the_mirror_has_its_outbox_row(lab: Lab) -> None:
    lab.run_until_idle()
    backfilled = _mirror(lab)
    rows = _rows(lab)
    created = [int(r["activity_id"]) for r in rows if r["event"] == "activity.created"]
    assert backfilled and Counter(created) == Counter(set(backfilled))  # each once, all of them
    assert all(r["payload_json"] == {"activity_id": r["activity_id"]} for r in rows)
    assert all(r["state"] == "pending" and r["idempotency_key"] for r in rows)
    mark = int(max(r["id"] for r in rows))
    first_new = mark

    seen: dict[str, set[int]] = {"created": set(), "deleted": set(), "updated": set()}
    old = backfilled

    def check(lab: Lab, _report: object) -> None:
        """After each engine run: what changed in the mirror since the last one is announced."""
        nonlocal old, mark
        now = _mirror(lab)
        rows = _rows(lab, mark)
        both = set(now) & set(old)
        changes = {
            "created": set(now) - set(old),
            "deleted": set(old) - set(now),
            "updated": {i for i in both if _substantive(now[i]) != _substantive(old[i])},
        }
        for kind, ids in changes.items():
            missed = ids - _ids(rows, f"activity.{kind}")
            assert not missed, (kind, {i: (old.get(i), now.get(i)) for i in missed})
            seen[kind] |= ids
        old, mark = now, max([mark, *(r["id"] for r in rows)])

    lab.advance(3 * 86400, step=600, on_step=check)
    # the scenario holds all three kinds of change
    assert all(seen.values()), {k: len(v) for k, v in seen.items()}
    new_rows = _rows(lab, first_new)
    # and nothing is announced about activities of somebody else
    for row in new_rows:
        with lab.db.engine.connect() as conn:
            assert acts.athlete_of(conn, int(row["activity_id"])) == row["athlete_id"]
    lab.close()


def test_deauthorization_writes_athlete_deauthorized(lab: Lab) -> None:
    lab.run_until_idle()
    leaver, stayer = lab.sim.athlete_ids()[:2]
    mark = max(r["id"] for r in _rows(lab))
    lab.sim.deauthorize_athlete(leaver)  # Strava sends the deauthorization webhook
    lab.run_until_idle()
    rows = [r for r in _rows(lab, mark) if r["event"].startswith("athlete.")]
    assert [(r["event"], r["athlete_id"], r["activity_id"]) for r in rows] == [
        ("athlete.deauthorized", leaver, None)
    ]
    assert rows[0]["payload_json"] == {"athlete_id": leaver, "reason": "revoked on Strava"}
    with lab.db.engine.connect() as conn:
        athlete = athletes_q.get_athlete(conn, leaver)
        assert athlete is not None and athlete["status"] == "deauthorized"
        # the row and the status change come from the same transaction, at the same moment
        assert rows[0]["created_at"] == athlete["deauthorized_at"]
        other = athletes_q.get_athlete(conn, stayer)
        assert other is not None and other["status"] == "active"
    lab.close()


def test_revoked_tokens_write_athlete_reconnect_needed(lab: Lab) -> None:
    lab.run_until_idle()
    athlete_id = lab.sim.athlete_ids()[0]
    mark = max(r["id"] for r in _rows(lab))
    lab.sim.revoke_tokens(athlete_id)  # silently: no webhook, the next request finds out
    lab.sim.advance(7 * 3600)  # past the access token's life, so the engine must refresh
    with lab.db.transaction() as conn:
        syncstate.request_mode(conn, athlete_id, "incremental", lab.clock.now())
    lab.engine.run_until_idle(athlete_id=athlete_id)
    rows = [r for r in _rows(lab, mark) if r["event"].startswith("athlete.")]
    assert [(r["event"], r["athlete_id"]) for r in rows] == [
        ("athlete.reconnect_needed", athlete_id)
    ]
    assert rows[0]["payload_json"]["athlete_id"] == athlete_id
    with lab.db.engine.connect() as conn:
        athlete = athletes_q.get_athlete(conn, athlete_id)
    assert athlete is not None and athlete["status"] == "reconnect_needed"
    # a stopped athlete is not claimed again, so the owner is told once
    lab.advance(86400, step=600)
    again = [r for r in _rows(lab, mark) if r["event"].startswith("athlete.")]
    assert len(again) == 1
    lab.close()


def test_a_page_that_does_not_commit_leaves_no_outbox_row(lab: Lab) -> None:
    """A worker whose lease was taken over fetches a page, but its transaction (activities,
    outbox rows, checkpoint) rolls back as one: no row is announced that the mirror lacks."""
    athlete_id = lab.sim.athlete_ids()[0]
    engine = lab.engine
    now = lab.clock.now()
    with lab.db.transaction() as conn:
        state = syncstate.claim_due_athlete(
            conn,
            owner="another-worker",
            now=now,
            lease_seconds=600,
            automatic=True,
            athlete_id=athlete_id,
        )
    assert state is not None
    ctx = PassContext(
        lab.db,
        engine.cfg,
        engine.port,
        engine.tokens,
        lab.clock,
        athlete_id,
        engine.owner,  # not the lease holder
        "session-without-lease",
    )
    ctx.token = engine.tokens.access_token(athlete_id, now)
    calls = engine.port.calls
    with pytest.raises(LeaseLost):
        run_backfill(ctx, state)
    assert engine.port.calls == calls + 1  # the page was fetched, and it held activities
    assert lab.sim.truth(athlete_id)
    assert _rows(lab) == []
    assert _mirror(lab) == {}

    # the lease holder's own pass commits the page and its rows together
    ctx.owner = "another-worker"
    result = run_backfill(ctx, state)
    rows = _rows(lab)
    assert result.created > 0
    assert _ids(rows, "activity.created") == set(_mirror(lab))
    assert len(rows) == result.created
    lab.close()
