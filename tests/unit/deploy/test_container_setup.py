"""The container tests' preconditions, without podman: a missing tool makes them skip with the
reason locally and fail under .ci/run (STRAVASYNC_TEST_REQUIRE_CONTAINER=1), and the setup
script names what is missing instead of half-building."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.container.conftest import REQUIRE_ENV, _unavailable
from tests.container.podman import SETUP


def test_a_missing_podman_skips_locally_and_fails_when_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="podman not installed"):
        _unavailable("podman not installed")
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=f"required \\({REQUIRE_ENV}=1\\)"):
        _unavailable("podman not installed")


def test_setup_script_names_the_missing_tools(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "dirname", "mkdir", "flock"):  # all it needs before its check
        found = shutil.which(tool)
        assert found is not None
        (bindir / tool).symlink_to(found)
    # a copy, so that its lock is not the one a real build (.ci/run's) may hold meanwhile
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / SETUP.name
    shutil.copy(SETUP, script)
    env = {k: v for k, v in os.environ.items() if k != "PATH"} | {"PATH": str(bindir)}
    done = subprocess.run(
        [str(bindir / "bash"), str(script)], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2, done.stderr
    missing = [t for t in ("podman", "runc", "debootstrap") if not Path("/usr/sbin", t).exists()]
    assert f"missing {' '.join(missing)}: run scripts/container-test-setup --install" in done.stderr
    assert done.stdout == ""
