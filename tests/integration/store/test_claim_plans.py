"""A claim and the planning questions read no whole table of athletes (query plans).

The engine claims one athlete per unit of work: listing every active athlete (or sorting every
due row) per claim made its cost grow with the number of athletes (bench/REPORT.md, scale).
"""

from __future__ import annotations

from bench.scale import NOW, full_scans, populate, query_plans

from stravasync.store import Database
from stravasync.store.pending import syncstate


def test_claim_and_planning_queries_use_indexes(db: Database) -> None:
    populate(db, 3_000, backlog=True)
    plans = query_plans(db, NOW)
    assert any(name.startswith("claim") for name in plans)
    scans = full_scans(plans, db.engine.dialect.name)
    # every question is an index probe; the count of active athletes reads a tally (a table of
    # one row, which PostgreSQL scans rather than look up)
    tally = scans.pop("active_count", [])
    assert all("sync_tallies" in line for line in tally), tally
    assert scans == {}, scans
    assert not [name for name in scans if name.startswith("claim")]
    with db.transaction() as conn:
        first = syncstate.claim_due_athlete(
            conn, owner="t", now=NOW, lease_seconds=60, automatic=True
        )
    assert first is not None and first["requested_mode"] == "incremental"
