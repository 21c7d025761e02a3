"""PostgreSQL backups through ``pg_dump`` / ``pg_restore`` (the client tools must be on PATH).

The row counts are taken in a repeatable-read transaction whose snapshot ``pg_dump`` is told
to use (``--snapshot``), so the dump and the manifest describe the same moment while writers
go on. The password travels in ``PGPASSWORD``, never on a command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from stravasync.backup import keys
from stravasync.backup.manifest import BackupError, Manifest, count_mismatches


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install PostgreSQL's client tools (e.g. apt-get install "
            "postgresql-client) or follow the pg_dump steps in docs/operations.md"
        )
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _contents(conn: Connection) -> tuple[dict[str, int], str | None, list[str]]:
    names = sorted(inspect(conn).get_table_names())
    counts = {n: int(conn.execute(text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one()) for n in names}
    revision = None
    if "alembic_version" in names:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    stored: list[str] = []
    if "tokens" in names:
        rows = conn.execute(text("SELECT access_token_enc, refresh_token_enc FROM tokens")).all()
        stored = [str(v) for row in rows for v in row if v]
    return counts, (str(revision) if revision is not None else None), stored


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603  (our tool, list args)
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{what} failed (exit {done.returncode}): {first}")


def dump(database_url: str, target: Path) -> tuple[dict[str, int], str | None, list[str]]:
    """``pg_dump --format=custom`` into ``target``; the counts, revision and token
    ciphertexts of the same snapshot."""
    pg_dump = _tool("pg_dump")
    url = make_url(database_url)
    libpq, env = _libpq(url)
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            contents = _contents(conn)
            cmd = [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
            _run([*cmd, f"--file={target}", libpq], env, "pg_dump")
            conn.rollback()
    finally:
        engine.dispose()
    return contents


def restore(
    database_url: str, dump_file: Path, manifest: Manifest, *, key: bytes | None, force: bool
) -> None:
    """``pg_restore`` into ``database_url`` (refused when it holds tables, unless ``force``),
    then check its counts and tokens against the manifest and the key."""
    pg_restore = _tool("pg_restore")
    url = make_url(database_url)
    libpq, env = _libpq(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            existing = inspect(conn).get_table_names()
        if existing and not force:
            raise BackupError(
                f"the database {url.render_as_string(hide_password=True)} holds tables: nothing "
                "was changed. Stop every stravasync process using it, then restore with --force"
            )
        cmd = [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={libpq}"]
        if existing:
            cmd += ["--clean", "--if-exists"]
        _run([*cmd, str(dump_file)], env, "pg_restore")
        with engine.connect() as conn:
            counts, revision, stored = _contents(conn)
    finally:
        engine.dispose()
    problems = count_mismatches(manifest.tables, counts)
    if problems:
        raise BackupError("restored row counts differ from the manifest: " + "; ".join(problems))
    if revision != manifest.revision:
        raise BackupError("the restored schema revision is not the manifest's")
    keys.check_tokens(key, stored)
