"""compose.yaml's `postgres` layout in containers, on the host's PostgreSQL (a fresh, empty
database; no PostgreSQL image can be pulled here): the one-shot `migrate`, a `web` and two
`worker`s, with the commands and environment the file gives them and one token key shared by
all. Athletes connect through the web's /connect flow; the workers mirror them; the worker
holding an athlete mid-backfill is killed (`podman kill`, SIGKILL) and the other finishes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from stravasync.store import Database
from stravasync.store.migrate import current_revision, head_revision
from stravasync.store.schema import activities, sync_state
from tests.conftest import PostgresFactory, _need_pg
from tests.container.podman import ADMIN, API, ROOT, Podman, answers, connect, mirrored, wait_until
from tests.e2e.simproc import free_port, simulator

pytestmark = [
    pytest.mark.container,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.timeout(900),
]
SERVICES: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]


@pytest.fixture
def empty_pg_url(pg_factory: PostgresFactory | None) -> Iterator[str]:
    factory = _need_pg(pg_factory)
    url = factory.new_database(empty=True)
    yield url
    factory.drop(url)


def holders(db: Database) -> dict[int, str]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(sync_state.c.athlete_id, sync_state.c.lease_owner)).all()
    return {int(r[0]): str(r[1]) for r in rows if r[1]}


def stored(db: Database) -> dict[int, int]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(activities.c.athlete_id, func.count()).group_by(activities.c.athlete_id)
        ).all()
    return {int(r[0]): int(r[1]) for r in rows}


def test_postgres_layout_survives_a_killed_worker(podman: Podman, empty_pg_url: str) -> None:
    with simulator(
        "--athletes", "4", "--seed", "6", "--history-days", "1200", "--quota", "unlimited"
    ) as sim:
        port = free_port()
        svc = f"http://127.0.0.1:{port}"
        env = {k: str(v) for k, v in SERVICES["worker"]["environment"].items()}
        assert env["STRAVASYNC_MIGRATE"] == "false"  # the one-shot `migrate` does it
        env |= {
            "STRAVASYNC_DATABASE_URL": empty_pg_url,  # the host's, for postgres:5432
            "STRAVASYNC_SECRET_KEY": Fernet.generate_key().decode(),
            "STRAVASYNC_CLIENT_ID": sim.client_id,
            "STRAVASYNC_CLIENT_SECRET": sim.client_secret,
            "STRAVASYNC_STRAVA_BASE_URL": sim.base_url,
            "STRAVASYNC_REDIRECT_URI": svc + "/oauth/callback",
            "STRAVASYNC_ADMIN_TOKEN": ADMIN,
            "STRAVASYNC_API_KEY": API,
            "STRAVASYNC_RATE_TIER": "unlimited",
            "STRAVASYNC_SYNC_ENRICH": "false",
            # a killed worker's athletes are taken over when its lease runs out (20 s by
            # default): 6 s keeps the test short
            "STRAVASYNC_SYNC_LEASE_SECONDS": "6",
        }
        db = Database.open(empty_pg_url, upgrade=False)
        try:
            migrate = podman.run("migrate", SERVICES["migrate"]["command"], env, detach=False)
            assert podman.inspect(migrate)["State"]["ExitCode"] == 0, podman.logs(migrate)
            assert current_revision(db.engine) == head_revision()

            web_command = [*SERVICES["web"]["command"]]
            assert web_command[:1] == ["web"]
            web_command[web_command.index("--host") + 1] = "127.0.0.1"
            web_command[web_command.index("--port") + 1] = str(port)
            web = podman.run("web", web_command, env)
            assert wait_until(lambda: answers(svc), 90), podman.logs(web)

            sim.faults(latency=0.3)  # slow pages: the kill falls mid-backfill
            athletes = [int(a["id"]) for a in sim.http().get("/_sim/athletes").json()]
            truth = {a: sim.truth_ids(a) for a in athletes}
            for athlete_id in athletes:
                connect(svc, sim.base_url, athlete_id)
            # the workers start on this backlog (an idle worker would look for work another
            # process added within 30 s: starting them now keeps the test short)
            worker_command = SERVICES["worker"]["command"]
            workers = [podman.run(f"worker-{n}", worker_command, env) for n in (1, 2)]

            # a worker holds an athlete it has started on (container host names: worker-N)
            def working() -> dict[int, str]:
                counts = stored(db)
                return {
                    a: owner
                    for a, owner in holders(db).items()
                    # started, and two pages (of 200) or more to go: the kill comes first
                    if owner.startswith("worker-") and 0 < counts.get(a, 0) <= len(truth[a]) - 400
                }

            assert wait_until(lambda: bool(working()), 120, interval=0.05), holders(db)
            held = working()
            doomed = next(iter(held.values())).split(":")[0]
            killed, survivor = (workers[0], workers[1]) if doomed == "worker-1" else workers[::-1]
            podman("kill", killed)
            podman("wait", killed, timeout=30)
            assert podman.inspect(killed)["State"]["ExitCode"] == 137
            # what the dead worker held is unfinished: the other worker must finish it
            unfinished = [a for a in held if stored(db).get(a, 0) < len(truth[a])]
            assert unfinished, held

            for athlete_id in athletes:
                assert wait_until(
                    lambda a=athlete_id: mirrored(svc, a) == truth[a], 180, interval=0.5
                ), (athlete_id, podman.logs(survivor)[-3000:])
            # the survivor claimed every athlete the dead worker left unfinished; a lease the dead
            # worker held on an athlete with nothing left to do stays (expired, harmless) until
            # that athlete's next poll, so only the unfinished ones are checked
            owners = holders(db)
            assert not any(owners.get(a, "").startswith(doomed + ":") for a in unfinished), owners
            assert podman.inspect(survivor)["State"]["Running"]
        finally:
            db.close()
