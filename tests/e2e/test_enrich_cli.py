"""`stravasync sync --mode enrich --activity-id ID` fetches that detail even when it is stored,
and takes a silent description edit into the mirror; bad options stop with one line and change
nothing. Real subprocesses: the simulator over HTTP and the CLI."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.schema import activity_details, sync_state
from tests.e2e.simproc import cli_env, run_cli, simulator

ATHLETE = 10000001


def _detail_gets(stats: dict[str, object]) -> int:
    requests = stats["requests"]
    assert isinstance(requests, dict)
    return sum(requests.get("GET /api/v3/activities/{id}", {}).values())


def test_enrich_activity_id_always_fetches(db_url: str, tmp_path: Path) -> None:
    with simulator("--athletes", "2", "--seed", "7", "--quota", "unlimited") as sim:
        env = cli_env(sim, db_url, tmp_path, STRAVASYNC_RATE_TIER="unlimited")
        auth = run_cli(["auth", "--code", sim.grant(ATHLETE), "--no-listen"], env, tmp_path)
        assert auth.returncode == 0, auth.stderr
        first = run_cli(["sync", "--athlete", str(ATHLETE)], env, tmp_path)
        assert first.returncode == 0, first.stderr
        db = Database.open(db_url, upgrade=False)
        with db.engine.connect() as conn:
            act_id = conn.execute(select(activity_details.c.activity_id).limit(1)).scalar_one()
        with sim.http() as c:
            edited = c.post(
                f"/_sim/activities/{act_id}/edit",
                json={"fields": {"description": "New route, will repeat"}},
            )
            assert edited.status_code == 200, edited.text
        time.sleep(1.5)  # the edit shows from the simulator's next second
        gets = _detail_gets(sim.stats())
        again = run_cli(
            ["sync", "--athlete", str(ATHLETE), "--mode", "enrich", "--activity-id", str(act_id)],
            env,
            tmp_path,
        )
        assert again.returncode == 0, again.stderr
        assert _detail_gets(sim.stats()) == gets + 1
        with db.engine.connect() as conn:
            stored = conn.execute(
                select(activity_details.c.description).where(
                    activity_details.c.activity_id == act_id
                )
            ).scalar_one()
            state = conn.execute(
                select(sync_state.c.requested_mode, sync_state.c.checkpoint_json)
            ).all()
        assert stored == "New route, will repeat"
        bad = run_cli(
            ["sync", "--mode", "enrich", "--since", "2026-03-05", "--until", "2026-03-01"],
            env,
            tmp_path,
        )
        assert bad.returncode == 2 and "until: must be after since" in bad.stderr
        wrong = run_cli(["sync", "--mode", "refresh", "--force"], env, tmp_path)
        assert wrong.returncode == 2 and "need --mode enrich" in wrong.stderr
        with db.engine.connect() as conn:
            after = conn.execute(
                select(sync_state.c.requested_mode, sync_state.c.checkpoint_json)
            ).all()
        db.close()
        assert after == state  # refused requests wrote nothing
