"""Dockerfile and compose.yaml checked without a container engine: what they run exists in the
CLI, the settings they set are real settings, and the layouts are the ones documented."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from stravasync.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
# read by docker/entrypoint.sh, not by stravasync.config
ENTRYPOINT_VARS = {"STRAVASYNC_MIGRATE"}


def _instruction(name: str) -> str:
    """The last instruction `name` of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [ln for ln in joined.splitlines() if ln.startswith(name + " ")]
    assert lines, f"no {name} in the Dockerfile"
    return lines[-1][len(name) + 1 :].strip()


def _image_cmd() -> list[str]:
    value: list[str] = json.loads(_instruction("CMD"))
    return value


def invoked_commands() -> list[list[str]]:
    found = [_image_cmd()]
    found += [list(map(str, s["command"])) for s in SERVICES.values() if "command" in s]
    return found


def _subcommand(argv: list[str]) -> list[str]:
    # `db upgrade` is a group and its command; everything else is one command
    return argv[:2] if argv[0] == "db" else argv[:1]


@pytest.mark.parametrize("argv", invoked_commands(), ids=lambda a: " ".join(a))
def test_every_invoked_command_and_option_exists(argv: list[str]) -> None:
    # with its own options before --help: an unknown option fails parsing (exit 2)
    done = subprocess.run(
        [sys.executable, "-m", "stravasync", *argv, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout


def test_the_help_check_fails_for_a_command_that_does_not_exist() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stravasync", "serve", "--no-such-option", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2


def _env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict)
    return {str(k): str(v) for k, v in env.items()}


def _image_env() -> dict[str, str]:
    parts = re.findall(r"(\w+)=(\S+)", _instruction("ENV"))
    return dict(parts)


def test_every_stravasync_variable_set_is_a_setting() -> None:
    names = set(_image_env())
    for service in SERVICES.values():
        names |= set(_env_of(service))
    known = {"STRAVASYNC_" + f.upper() for f in Settings.model_fields} | ENTRYPOINT_VARS
    ours = {n for n in names if n.startswith("STRAVASYNC_")}
    assert ours, "the files set no setting at all?"
    assert ours <= known, ours - known


def test_image_defaults_keep_everything_in_the_data_volume(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("STRAVASYNC_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    for key, value in _image_env().items():
        monkeypatch.setenv(key, value)
    cfg = load_settings()
    assert cfg.database_url == "sqlite:////data/stravasync.db"
    assert cfg.key_file == Path("/data/secret.key")
    assert cfg.export_warehouse == Path("/data/warehouse.duckdb")
    assert json.loads(_instruction("VOLUME")) == ["/data"]


def test_image_is_multi_stage_non_root_with_a_healthz_check() -> None:
    assert len(re.findall(r"^FROM ", DOCKERFILE, flags=re.M)) >= 2
    assert "COPY --from=build" in DOCKERFILE
    user = _instruction("USER").split(":")[0]
    assert user.isdigit() and int(user) != 0
    health = _instruction("HEALTHCHECK")
    assert "/healthz" in health and "8721" in health
    assert _image_cmd()[:1] == ["serve"]
    assert "--port" in _image_cmd() and "8721" in _image_cmd()
    assert json.loads(_instruction("ENTRYPOINT")) == ["stravasync-entrypoint"]
    assert "docker/entrypoint.sh /usr/local/bin/stravasync-entrypoint" in DOCKERFILE


def _profile(name: str) -> set[str]:
    return {s for s, spec in SERVICES.items() if name in spec.get("profiles", [])}


def test_sqlite_layout_is_one_serve_that_migrates() -> None:
    assert _profile("sqlite") == {"serve"}
    serve = SERVICES["serve"]
    assert serve["command"][0] == "serve"
    assert "STRAVASYNC_DATABASE_URL" not in _env_of(serve)  # the image's SQLite in /data
    assert _env_of(serve)["STRAVASYNC_MIGRATE"] == "true"
    assert any(str(v).endswith(":/data") for v in serve["volumes"])


def test_postgres_layout_two_web_two_workers_after_a_one_shot_migration() -> None:
    assert _profile("postgres") == {"postgres", "migrate", "web", "worker"}
    migrate = SERVICES["migrate"]
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        service = SERVICES[name]
        assert service["command"][0] == name
        assert service["deploy"]["replicas"] == 2
        assert service["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
        env = _env_of(service)
        assert env["STRAVASYNC_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in env["STRAVASYNC_DATABASE_URL"]
        assert env["STRAVASYNC_MIGRATE"] == "false"  # the one-shot did it
    assert (
        _env_of(migrate)["STRAVASYNC_DATABASE_URL"]
        == _env_of(SERVICES["web"])["STRAVASYNC_DATABASE_URL"]
    )


def _check(tmp_path: Path, document: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(document))
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check-compose"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_file_passes_the_schema_check(tmp_path: Path) -> None:
    done = _check(tmp_path, COMPOSE)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["services"]["web"].update(replicas=2), "replicas"),
        (
            lambda d: d["services"]["web"]["depends_on"]["migrate"].update(condition="done"),
            "services/web/depends_on",
        ),
        (lambda d: d["services"]["worker"].update(depends_on=["nobody"]), "nobody"),
        (lambda d: d["services"]["migrate"].update(restart="always"), "one-shot"),
    ],
)
def test_the_schema_check_catches_mistakes(tmp_path: Path, mutate: Any, expected: str) -> None:
    broken = copy.deepcopy(COMPOSE)
    mutate(broken)
    done = _check(tmp_path, broken)
    assert done.returncode == 1
    assert expected in done.stderr
