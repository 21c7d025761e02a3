"""Opt-out (auto_sync off) stops planned sync for real: no scheduled pass, webhook creates and
updates ignored (they would cost a request), deletions still confirmed and applied; a requested
sync catches up. The engine runs against the simulator with webhooks, in virtual time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from stravasync.store.mirror import activities as acts
from stravasync.store.pending import syncstate
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import webhook_events
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 3, tzinfo=UTC)


def test_opted_out_athlete_gets_deletions_but_no_automatic_fetch(
    db_url: str, tmp_path: Path
) -> None:
    lab = quiet_lab(
        db_url, tmp_path, start=START, seed=21, athletes=6, history_days=60, webhooks=True
    )
    try:
        for athlete_id in lab.sim.athlete_ids():
            lab.connect(athlete_id)
        lab.run_until_idle()
        # the two busiest athletes: the world makes activities for them within the week
        busy = sorted(lab.sim.athlete_ids(), key=lambda a: len(lab.sim.truth(a)))
        out, stays = busy[-1], busy[-2]
        with lab.db.transaction() as conn:
            athletes_q.set_flags(conn, out, now=lab.clock.now(), auto_sync=False)
            held = set(acts.live_summaries(conn, out))
        victim = min(held)
        assert lab.sim.delete_activity(victim)
        lab.advance(7 * 86400, step=600)

        truth_out = {int(a["id"]) for a in lab.sim.truth(out)}
        with lab.db.engine.connect() as conn:
            mirror_out = set(acts.live_summaries(conn, out))
            events = [
                dict(r)
                for r in conn.execute(
                    select(webhook_events).where(webhook_events.c.owner_id == out)
                ).mappings()
            ]
        new = truth_out - held
        assert new, "the world made no activity for the opted-out athlete in 7 days"
        assert victim not in mirror_out  # the deletion was applied
        assert not (new & mirror_out)  # nothing new was fetched for them
        creates = [e for e in events if e["aspect_type"] == "create"]
        assert creates and all(e["state"] == "ignored" for e in creates)
        assert lab.diff([stays])[0].missing == []  # the other athlete is current

        with lab.db.transaction() as conn:  # asked for: they catch up
            syncstate.request_mode(conn, out, "incremental", lab.clock.now())
        lab.run_until_idle()
        with lab.db.engine.connect() as conn:
            assert new <= set(acts.live_summaries(conn, out))
    finally:
        lab.close()
