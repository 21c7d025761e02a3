"""The engine under both answers of each point Strava leaves uncertain (STRAVA_API.md).

- the order of GET /athlete/activities under ``after`` alone (``after_order``);
- whether POST /oauth/token counts against the rate limits (``count_token_requests``);
- whether, without activity:read_all, a privacy change arrives as delete / create
  (``private_as_delete``).

Two worlds give every point both answers. Athletes grant activity:read only (so privacy changes
matter), the quota is Strava's default (so a miscount earns a 429), edits and deletions are
frequent. After a day and a reconcile the mirror must equal the truth, with zero 429s.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.store.pending import syncstate

START = datetime(2026, 5, 4, 6, 3, tzinfo=UTC)
WORLDS = {
    "documented-guesses": {
        "after_order": "oldest_first",
        "count_token_requests": True,
        "private_as_delete": True,
    },
    "other-answers": {
        "after_order": "newest_first",
        "count_token_requests": False,
        "private_as_delete": False,
    },
}


@pytest.mark.parametrize("world", sorted(WORLDS))
def test_mirror_is_exact_under_either_answer(db_url: str, tmp_path: Path, world: str) -> None:
    lab = Lab(
        db_url=db_url,
        sim_config=SimConfig(
            seed=41,
            athletes=12,
            history_days=45,
            quota="default",
            churn=8.0,
            late_connect_fraction=0.0,
            heavy_fraction=0.0,
            **WORLDS[world],
        ),
        start=START,
        work_dir=tmp_path,
        scope="read,activity:read",
        overrides={"require_private_scope": False},
    )
    try:
        for athlete_id in lab.sim.athlete_ids():
            lab.connect(athlete_id)
        lab.run_until_idle()
        lab.advance(86400, step=300)
        kinds = {c.kind for c in lab.sim.changes()}
        assert {"create", "update", "delete"} <= kinds, kinds
        with lab.db.transaction() as conn:
            for athlete_id in lab.connected:
                syncstate.request_mode(conn, athlete_id, "reconcile", lab.clock.now())
        lab.run_until_idle()
        for diff in lab.diff():
            assert (diff.missing, diff.zombies, diff.stale) == ([], [], {}), diff
        assert lab.sim.stats()["rate_limited"] == 0
    finally:
        lab.close()
