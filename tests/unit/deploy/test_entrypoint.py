"""docker/entrypoint.sh run under bash, without a container engine.

A stand-in `stravasync` on PATH records how it was called (arguments, pid, one variable), so
the tests see what the script executes; the last test runs the real command.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is needed to run the entrypoint")

STUB = """#!/usr/bin/env bash
echo "$$ $*" >> "$STUB_LOG"
echo "secret=${STRAVASYNC_CLIENT_SECRET:-} file=${STRAVASYNC_CLIENT_SECRET_FILE:-unset}" \
    >> "$STUB_LOG"
if [[ "$1 $2" == "db upgrade" && -n "${STUB_FAIL_MIGRATE:-}" ]]; then exit 3; fi
exit 0
"""

SECRETS = {
    "STRAVASYNC_CLIENT_ID": "12345",
    "STRAVASYNC_CLIENT_SECRET": "client-secret-value-xyz",
    "STRAVASYNC_ADMIN_TOKEN": "admin-token-value-xyz",
}


def run(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[str], int]:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    stub = bindir / "stravasync"
    stub.write_text(STUB)
    stub.chmod(0o755)
    log = tmp_path / "calls.log"
    log.unlink(missing_ok=True)
    full = {"PATH": f"{bindir}:/usr/bin:/bin", "STUB_LOG": str(log), **env}
    proc = subprocess.Popen(
        [str(BASH), str(ENTRYPOINT), *args],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate(timeout=30)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done, log.read_text().splitlines() if log.exists() else [], proc.pid


def commands(lines: list[str]) -> list[str]:
    return [line.split(" ", 1)[1] for line in lines[0::2]]


def test_no_arguments_execs_serve(tmp_path: Path) -> None:
    done, lines, pid = run(tmp_path, [], SECRETS)
    assert done.returncode == 0, done.stderr
    assert commands(lines) == ["serve"]
    # exec: the command replaced the script's process (same pid), it is not a child of it
    assert lines[0].split(" ", 1)[0] == str(pid)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--port", "9000"], "serve --port 9000"),
        (["stravasync", "status", "--json"], "status --json"),
        (["worker", "--concurrency", "2"], "worker --concurrency 2"),
        (["export", "--format", "duckdb"], "export --format duckdb"),
    ],
)
def test_the_command_is_passed_through(tmp_path: Path, args: list[str], expected: str) -> None:
    done, lines, _ = run(tmp_path, args, SECRETS)
    assert done.returncode == 0, done.stderr
    assert commands(lines) == [expected]


def test_migrations_run_first_when_asked(tmp_path: Path) -> None:
    done, lines, _ = run(tmp_path, ["web"], {**SECRETS, "STRAVASYNC_MIGRATE": "true"})
    assert done.returncode == 0, done.stderr
    assert commands(lines) == ["db upgrade", "web"]
    done, lines, _ = run(tmp_path, ["web"], {**SECRETS, "STRAVASYNC_MIGRATE": "false"})
    assert commands(lines) == ["web"]
    done, lines, _ = run(tmp_path, ["web"], SECRETS)  # default: no migration
    assert commands(lines) == ["web"]


def test_a_failed_migration_stops_the_start(tmp_path: Path) -> None:
    env = {**SECRETS, "STRAVASYNC_MIGRATE": "1", "STUB_FAIL_MIGRATE": "1"}
    done, lines, _ = run(tmp_path, ["serve"], env)
    assert done.returncode == 3
    assert commands(lines) == ["db upgrade"]


def test_bad_migrate_value_is_refused(tmp_path: Path) -> None:
    done, lines, _ = run(tmp_path, ["serve"], {**SECRETS, "STRAVASYNC_MIGRATE": "maybe"})
    assert done.returncode == 64
    assert done.stderr.strip() == (
        "stravasync-entrypoint: STRAVASYNC_MIGRATE must be true or false, not 'maybe'"
    )
    assert lines == []


@pytest.mark.parametrize(
    ("args", "drop", "extra", "named"),
    [
        (["serve"], "STRAVASYNC_CLIENT_SECRET", {}, ["STRAVASYNC_CLIENT_SECRET"]),
        (["web"], "STRAVASYNC_ADMIN_TOKEN", {}, ["STRAVASYNC_ADMIN_TOKEN"]),
        (["worker"], "STRAVASYNC_CLIENT_ID", {}, ["STRAVASYNC_CLIENT_ID"]),
        # several processes on PostgreSQL must share one token key
        (
            ["worker"],
            "",
            {"STRAVASYNC_DATABASE_URL": "postgresql+psycopg://u@db/s"},
            ["STRAVASYNC_SECRET_KEY"],
        ),
    ],
)
def test_missing_secrets_are_refused_in_one_line(
    tmp_path: Path, args: list[str], drop: str, extra: dict[str, str], named: list[str]
) -> None:
    env = {k: v for k, v in SECRETS.items() if k != drop} | extra
    done, lines, _ = run(tmp_path, args, {**env, "STRAVASYNC_MIGRATE": "true"})
    assert done.returncode == 64
    assert lines == []  # neither migrated nor started
    message = done.stderr.strip()
    assert "\n" not in message
    assert message.startswith(f"stravasync-entrypoint: `{args[0]}` needs ")
    for name in named:
        assert name in message
    for value in SECRETS.values():
        assert value not in message


def test_worker_on_sqlite_needs_no_admin_token(tmp_path: Path) -> None:
    env = {k: v for k, v in SECRETS.items() if k != "STRAVASYNC_ADMIN_TOKEN"}
    done, lines, _ = run(tmp_path, ["worker"], env)
    assert done.returncode == 0, done.stderr
    assert commands(lines) == ["worker"]


def test_one_off_commands_need_no_secrets(tmp_path: Path) -> None:
    done, lines, _ = run(tmp_path, ["db", "upgrade"], {})
    assert done.returncode == 0, done.stderr
    assert commands(lines) == ["db upgrade"]


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    secret_file = tmp_path / "client_secret"
    secret_file.write_text("from-a-file-123\n")
    env = {k: v for k, v in SECRETS.items() if k != "STRAVASYNC_CLIENT_SECRET"}
    done, lines, _ = run(
        tmp_path, ["serve"], {**env, "STRAVASYNC_CLIENT_SECRET_FILE": str(secret_file)}
    )
    assert done.returncode == 0, done.stderr
    # the trailing newline is dropped, and the _FILE variable does not reach stravasync
    assert lines[1] == "secret=from-a-file-123 file=unset"


def test_an_unreadable_secret_file_is_one_line(tmp_path: Path) -> None:
    env = {**SECRETS, "STRAVASYNC_ADMIN_TOKEN": ""}
    missing = tmp_path / "nope"
    done, lines, _ = run(tmp_path, ["serve"], {**env, "STRAVASYNC_ADMIN_TOKEN_FILE": str(missing)})
    assert done.returncode == 64
    assert done.stderr.strip() == (
        f"stravasync-entrypoint: STRAVASYNC_ADMIN_TOKEN_FILE names {missing}, which cannot be read"
    )
    assert lines == []


def test_real_command_migrates_a_fresh_sqlite_database(tmp_path: Path) -> None:
    """The entrypoint with the real stravasync: migrate, then run `status --json`."""
    bindir = Path(sys.executable).parent
    db_file = tmp_path / "data" / "mirror.db"
    db_file.parent.mkdir()
    env = {
        "PATH": f"{bindir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "STRAVASYNC_MIGRATE": "true",
        "STRAVASYNC_DATABASE_URL": f"sqlite:///{db_file}",
        "STRAVASYNC_KEY_FILE": str(tmp_path / "data" / "secret.key"),
    }
    done = subprocess.run(
        [str(BASH), str(ENTRYPOINT), "status", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "is at revision" in done.stdout  # `db upgrade` ran first
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() is not None
