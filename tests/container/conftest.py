"""The container tests need podman, runc and debootstrap, run as root, and build their image
once per machine and source tree (scripts/container-test-setup caches it in podman's storage).

Without them the tests skip with the reason, unless ``STRAVASYNC_TEST_REQUIRE_CONTAINER=1``
(set by .ci/run), when they fail.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.container.podman import ROOT, SETUP, Podman, podman_env

REQUIRE_ENV = "STRAVASYNC_TEST_REQUIRE_CONTAINER"


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV, "") not in ("", "0", "false"):
        pytest.fail(f"container tests required ({REQUIRE_ENV}=1) but {reason}", pytrace=False)
    pytest.skip(f"container tests skipped: {reason}")


@pytest.fixture(scope="session")
def container_image() -> str:
    """The image's name, built by scripts/container-test-setup unless already there."""
    path = podman_env()["PATH"]
    tools = ("podman", "runc", "debootstrap")
    missing = [tool for tool in tools if not shutil.which(tool, path=path)]
    if missing:
        _unavailable(
            f"{', '.join(missing)} not installed (scripts/container-test-setup --install, as root)"
        )
    if os.geteuid() != 0:
        _unavailable("podman runs as root in these tests")
    done = subprocess.run(
        [str(SETUP)], cwd=ROOT, capture_output=True, text=True, timeout=1500, env=podman_env()
    )
    if done.returncode != 0:
        pytest.fail(f"scripts/container-test-setup failed:\n{done.stderr[-4000:]}", pytrace=False)
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def podman(container_image: str) -> Iterator[Podman]:
    runner = Podman(container_image)
    yield runner
    runner.cleanup()


@pytest.fixture
def podman_compose(container_image: str) -> list[str]:
    """The command running podman-compose (the dev extra installs it)."""
    if importlib.util.find_spec("podman_compose") is None:
        _unavailable("podman-compose is not installed (pip install -e '.[dev]')")
    return [sys.executable, "-m", "podman_compose"]
