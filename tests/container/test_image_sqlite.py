"""The image as a self-hoster runs it: `serve` on SQLite in a container, against a simulator on
the host. It migrates, runs as uid 10001 with everything it writes in the /data volume, connects
athletes through the real /connect flow, mirrors them exactly, stops cleanly, and a new
container on the same volume serves the same data and can still read the stored tokens."""

from __future__ import annotations

import json

import httpx
import pytest

from stravasync.store.migrate import head_revision
from tests.container.podman import (
    ADMIN,
    API,
    Podman,
    admin,
    answers,
    connect,
    mirrored,
    wait_until,
)
from tests.e2e.simproc import SimProcess, free_port, simulator

pytestmark = [pytest.mark.container, pytest.mark.slow, pytest.mark.timeout(900)]


def serve_env(sim: SimProcess, svc: str) -> dict[str, str]:
    return {
        "STRAVASYNC_CLIENT_ID": sim.client_id,
        "STRAVASYNC_CLIENT_SECRET": sim.client_secret,
        "STRAVASYNC_STRAVA_BASE_URL": sim.base_url,
        "STRAVASYNC_REDIRECT_URI": svc + "/oauth/callback",
        "STRAVASYNC_ADMIN_TOKEN": ADMIN,
        "STRAVASYNC_API_KEY": API,
        "STRAVASYNC_RATE_TIER": "unlimited",
        "STRAVASYNC_MIGRATE": "true",
    }


def test_serve_on_sqlite_connects_syncs_and_keeps_its_data_across_a_restart(
    podman: Podman,
) -> None:
    with simulator("--athletes", "3", "--history-days", "60", "--quota", "unlimited") as sim:
        port = free_port()
        svc = f"http://127.0.0.1:{port}"
        env = serve_env(sim, svc)
        command = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        data = podman.volume("data")
        first = podman.run("serve", command, env, volume=data)
        assert wait_until(lambda: answers(svc), 90), podman.logs(first)

        health = httpx.get(svc + "/healthz")
        assert (health.status_code, health.json()["status"]) == (200, "ok")
        ready = httpx.get(svc + "/readyz").json()
        assert ready["database"] == "ok"
        assert ready["revision"] == ready["head"] == head_revision()
        # the image's HEALTHCHECK command passes (it asks port 8721: here the test's port)
        check = json.loads(podman("image", "inspect", podman.image).stdout)[0]["Healthcheck"]
        assert check["Test"][0] == "CMD" and ":8721/healthz" in check["Test"][-1]
        probe = [*check["Test"][1:-1], check["Test"][-1].replace(":8721/", f":{port}/")]
        assert podman("exec", first, *probe, check=False).returncode == 0
        # unprivileged, and everything it wrote is in the volume, owned by it
        assert podman.exec(first, "id", "-u") == "10001"
        files = ["/data/stravasync.db", "/data/secret.key"]
        owners = podman.exec(first, "stat", "-c", "%n %u %a", *files).splitlines()
        assert owners == [f"{files[0]} 10001 644", f"{files[1]} 10001 600"]

        athletes = [int(a["id"]) for a in sim.http().get("/_sim/athletes").json()]
        truth = {a: sim.truth_ids(a) for a in athletes}
        assert all(truth.values()), truth
        for athlete_id in athletes:
            connect(svc, sim.base_url, athlete_id)
        for athlete_id in athletes:
            assert wait_until(lambda a=athlete_id: mirrored(svc, a) == truth[a], 90), (
                athlete_id,
                podman.logs(first)[-3000:],
            )

        # a clean stop (SIGTERM to the process the entrypoint exec'd), then a new container
        podman("stop", "-t", "40", first)
        assert podman.inspect(first)["State"]["ExitCode"] == 0, podman.logs(first)[-3000:]
        log = podman.logs(first)
        for secret in (ADMIN, API, sim.client_secret):
            assert secret not in log
        second = podman.run("serve-again", command, env, volume=data)
        assert wait_until(lambda: answers(svc), 90), podman.logs(second)
        for athlete_id in athletes:
            assert mirrored(svc, athlete_id) == truth[athlete_id]
        listed = {r["athlete_id"]: r for r in admin(svc, "GET", "/api/admin/athletes").json()}
        assert {a: listed[a]["status"] for a in athletes} == dict.fromkeys(athletes, "active")

        # the token key stayed in the volume: a sync asked for now reads the stored token
        athlete_id = athletes[0]
        before = {s["id"] for s in sessions(svc, athlete_id)}
        asked = admin(svc, "POST", f"/api/admin/athletes/{athlete_id}/sync", json={})
        assert asked.status_code == 200, asked.text

        def synced_again() -> bool:
            new = [s for s in sessions(svc, athlete_id) if s["id"] not in before]
            return any(s["status"] == "synced" and s["api_calls"] >= 1 for s in new)

        assert wait_until(synced_again, 60), json.dumps(sessions(svc, athlete_id), indent=1)
        assert mirrored(svc, athlete_id) == truth[athlete_id]


def sessions(svc: str, athlete_id: int) -> list[dict[str, object]]:
    got = admin(svc, "GET", "/api/admin/sessions", params={"athlete_id": athlete_id})
    rows: list[dict[str, object]] = got.json()
    return rows
