"""A consistent copy of a SQLite database while other processes write to it.

``sqlite3``'s online backup API copies every page in one step under a read transaction: in WAL
mode writers go on meanwhile and the copy is the database as of one commit. The copy is then
switched to a plain rollback journal so it is one self-contained file.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from stravasync.backup.manifest import BackupError


def online_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (a new file) consistently, whoever writes meanwhile."""
    if not source.exists():
        raise BackupError(f"the SQLite database {source} does not exist")
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)  # pages=-1: all pages in one step, one snapshot
            dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"could not copy the SQLite database {source}: {exc}") from None


def table_counts(path: Path) -> dict[str, int]:
    """Rows per table of the SQLite file at ``path`` (its own tables, not SQLite's)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        names = [
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {n: int(conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]) for n in names}


def check_copy(path: Path) -> None:
    """Raise :class:`BackupError` when ``path`` is not a sound SQLite database."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            verdict = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as exc:
        raise BackupError(f"the archived database cannot be opened: {exc}") from None
    if verdict is None or verdict[0] != "ok":
        raise BackupError(f"the archived database is damaged: {verdict}")


def revision(path: Path) -> str | None:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
    return str(row[0]) if row else None


def token_ciphertexts(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            rows = conn.execute("SELECT access_token_enc, refresh_token_enc FROM tokens").fetchall()
        except sqlite3.Error:
            return []
    return [str(v) for row in rows for v in row if v]
