"""compose.yaml's `sqlite` profile brought up with podman-compose, as a self-hoster would with
`docker compose --profile sqlite up -d`. An override file (in the test's directory) only names
the test image, puts the service on the host's network (the simulator listens there) and passes
the settings a `.env` would; the layout, the command's entrypoint, the migration at start and the
`data` volume are the file's. `down` then `up` again serves the same data."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.container.podman import ROOT, Podman, answers, connect, mirrored, podman_env, wait_until
from tests.container.test_image_sqlite import serve_env
from tests.e2e.simproc import free_port, simulator

pytestmark = [pytest.mark.container, pytest.mark.slow, pytest.mark.timeout(900)]


def test_compose_sqlite_profile_serves_and_keeps_its_volume(
    podman: Podman, podman_compose: list[str], tmp_path: Path
) -> None:
    project = podman.prefix  # never the file's own project name, `stravasync`
    with simulator("--athletes", "1", "--history-days", "30", "--quota", "unlimited") as sim:
        port = free_port()
        svc = f"http://127.0.0.1:{port}"
        env = serve_env(sim, svc)
        del env["STRAVASYNC_MIGRATE"]  # compose.yaml sets it for `serve`
        override = tmp_path / "compose.test.yaml"
        override.write_text(  # JSON is YAML
            json.dumps(
                {
                    "services": {
                        "serve": {
                            "image": podman.image,
                            "pull_policy": "never",
                            "network_mode": "host",
                            "command": ["serve", "--host", "127.0.0.1", "--port", str(port)],
                            "environment": env,
                        }
                    }
                }
            )
        )

        files = ["-f", "compose.yaml", "-f", str(override)]

        def compose(*args: str) -> subprocess.CompletedProcess[str]:
            done = subprocess.run(
                [*podman_compose, "-p", project, *files, "--profile", "sqlite", *args],
                cwd=ROOT,
                env=podman_env(),
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, f"podman-compose {args}: {done.stdout}\n{done.stderr}"
            return done

        container = f"{project}_serve_1"
        try:
            compose("up", "-d")
            assert wait_until(lambda: answers(svc), 90), podman.logs(container)
            config = podman.inspect(container)
            assert config["Config"]["Env"].count("STRAVASYNC_MIGRATE=true") == 1
            assert [m["Name"] for m in config["Mounts"]] == [f"{project}_data"]

            athlete_id = int(sim.http().get("/_sim/athletes").json()[0]["id"])
            truth = sim.truth_ids(athlete_id)
            assert truth
            connect(svc, sim.base_url, athlete_id)
            assert wait_until(lambda: mirrored(svc, athlete_id) == truth, 90), podman.logs(
                container
            )[-3000:]

            compose("down")
            assert not answers(svc, "/healthz")
            compose("up", "-d")
            assert wait_until(lambda: answers(svc), 90), podman.logs(container)
            assert mirrored(svc, athlete_id) == truth
        finally:
            subprocess.run(
                [*podman_compose, "-p", project, *files, "--profile", "sqlite", "down", "-v"],
                cwd=ROOT,
                env=podman_env(),
                capture_output=True,
                timeout=300,
            )
