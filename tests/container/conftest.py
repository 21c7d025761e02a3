"""The container tests need podman, runc and debootstrap, run as root, and build their image
once per machine and source tree (scripts/container-test-setup caches it in podman's storage).

Without them the tests skip with the reason, unless ``STRAVASYNC_TEST_REQUIRE_CONTAINER=1``
(set by .ci/run), when they fail.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.container.podman import ROOT, SETUP, Podman, podman_env

REQUIRE_ENV = "STRAVASYNC_TEST_REQUIRE_CONTAINER"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The container tests run last: .ci/run builds their image meanwhile, on the other core."""
    items.sort(key=lambda item: "tests/container/" in item.nodeid)


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV, "") not in ("", "0", "false"):
        pytest.fail(f"container tests required ({REQUIRE_ENV}=1) but {reason}", pytrace=False)
    pytest.skip(f"container tests skipped: {reason}")


@pytest.fixture(scope="session")
def container_image() -> str:
    """The image's name, built by scripts/container-test-setup unless already there (or
    waiting for the run .ci/run started in the background)."""
    done = subprocess.run(
        [str(SETUP)], cwd=ROOT, capture_output=True, text=True, timeout=1500, env=podman_env()
    )
    if done.returncode == 2:  # podman, runc or debootstrap missing, or not root
        _unavailable(done.stderr.strip().removeprefix("container-test-setup: "))
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
