"""``stravasync backup`` / ``restore``: one ``.tar.gz`` with the database, the key and a manifest.

Backup: SQLite is copied online (:mod:`stravasync.backup.sqlite_copy`), PostgreSQL with
``pg_dump`` in the snapshot its row counts were taken in (:mod:`stravasync.backup.postgres`);
the key is taken from ``STRAVASYNC_SECRET_KEY`` or the key file. The archive is written under a
temporary name and renamed when complete.

Restore checks everything before it changes anything: the members are exactly those the
manifest names, each with its sha256; the database opens, its row counts and revision equal
the manifest's; every archived token decrypts with the archived key. Only then is the database
put in place (refused when one exists, unless ``force``) and the key file written (0600).
"""

from __future__ import annotations

import os
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from stravasync.backup import keys, postgres, sqlite_copy
from stravasync.backup.manifest import (
    KEY_FILE,
    MANIFEST,
    PG_FILE,
    SQLITE_FILE,
    BackupError,
    Manifest,
    count_mismatches,
    sha256_file,
)

MAX_MANIFEST = 1 << 20


def _backend(database_url: str) -> tuple[str, Path | None]:
    url = make_url(database_url)
    name = url.get_backend_name()
    if name == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise BackupError("an in-memory SQLite database cannot be backed up")
        return "sqlite", Path(str(url.database)).expanduser()
    if name == "postgresql":
        return "postgresql", None
    raise BackupError(f"no backup for the {name} backend")


def create_backup(
    database_url: str, *, out: Path, secret_key: str | None, key_file: Path, now: datetime
) -> Manifest:
    """Write the archive ``out`` (refused when it exists); its manifest."""
    if out.exists():
        raise BackupError(f"{out} exists: choose a new name (a backup never overwrites)")
    backend, sqlite_path = _backend(database_url)
    key = keys.current_key(secret_key, key_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=out.parent) as tmp:
        work = Path(tmp)
        if sqlite_path is not None:
            db_file = work / SQLITE_FILE
            sqlite_copy.online_copy(sqlite_path, db_file)
            counts = sqlite_copy.table_counts(db_file)
            revision = sqlite_copy.revision(db_file)
            stored = sqlite_copy.token_ciphertexts(db_file)
        else:
            db_file = work / PG_FILE
            counts, revision, stored = postgres.dump(database_url, db_file)
        if stored and key is None:
            raise BackupError(
                "tokens are stored but no key is configured (STRAVASYNC_SECRET_KEY or the key "
                "file): a backup without the key could not be restored"
            )
        keys.check_tokens(key, stored)  # a backup whose key cannot read is no backup
        members = [db_file]
        if key is not None:
            keys.write_key(work / KEY_FILE, key)
            members.append(work / KEY_FILE)
        manifest = Manifest(
            backend=backend,
            revision=revision,
            created_at=now.isoformat(),
            tables=counts,
            files={m.name: sha256_file(m) for m in members},
            tokens=counts.get("tokens", 0),  # rows: each an access and a refresh token
        )
        (work / MANIFEST).write_text(manifest.to_json())
        partial = out.with_name(f".{out.name}.partial")
        with tarfile.open(partial, "w:gz") as tar:
            for member in [work / MANIFEST, *members]:
                tar.add(member, arcname=member.name, recursive=False)
        os.chmod(partial, 0o600)  # it holds the key
        os.replace(partial, out)
    return manifest


@dataclass(frozen=True, slots=True)
class Restored:
    manifest: Manifest
    database: str
    key_file: Path | None


def _unpack(archive: Path, work: Path) -> Manifest:
    """Extract and verify every member into ``work``; :class:`BackupError` on any doubt."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            found = {m.name: m for m in tar.getmembers()}
            head = found.get(MANIFEST)
            if head is None or not head.isfile() or head.size > MAX_MANIFEST:
                raise BackupError(f"{archive} has no manifest: not a stravasync backup")
            reader = tar.extractfile(head)
            assert reader is not None
            manifest = Manifest.parse(reader.read().decode("utf-8", "replace"))
            expected = {MANIFEST, *manifest.files}
            if set(found) != expected or not all(m.isfile() for m in found.values()):
                missing = sorted(expected - set(found))
                extra = sorted(set(found) - expected)
                raise BackupError(
                    f"{archive} does not hold what its manifest lists "
                    f"(missing: {missing or 'none'}, unexpected: {extra or 'none'})"
                )
            for name in manifest.files:
                tar.extract(found[name], work, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive ({exc})") from None
    for name, digest in manifest.files.items():
        if sha256_file(work / name) != digest:
            raise BackupError(f"{name} in {archive} does not match its sha256: the copy is damaged")
    return manifest


def restore_backup(
    archive: Path, *, database_url: str, key_file: Path, force: bool = False
) -> Restored:
    """Verify ``archive`` and restore it into ``database_url`` and ``key_file``.

    Nothing is changed unless every check passes; an existing database (or a different key
    file) is replaced only with ``force``."""
    backend, sqlite_path = _backend(database_url)
    target_key = key_file.expanduser()
    parent = sqlite_path.parent if sqlite_path is not None else target_key.parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=parent) as tmp:
        work = Path(tmp)
        manifest = _unpack(archive, work)
        if manifest.backend != backend:
            raise BackupError(
                f"the archive holds a {manifest.backend} database, the target is {backend}"
            )
        key = (work / KEY_FILE).read_bytes() if KEY_FILE in manifest.files else None
        if (
            key is not None
            and target_key.exists()
            and not force
            and target_key.read_bytes().strip() != key.strip()
        ):
            raise BackupError(
                f"the key file {target_key} exists with another key: nothing was changed "
                "(--force replaces it)"
            )
        if sqlite_path is not None:
            db_file = work / SQLITE_FILE
            sqlite_copy.check_copy(db_file)
            problems = count_mismatches(manifest.tables, sqlite_copy.table_counts(db_file))
            if problems:
                raise BackupError("row counts differ from the manifest: " + "; ".join(problems))
            if sqlite_copy.revision(db_file) != manifest.revision:
                raise BackupError("the archived database's schema revision is not the manifest's")
            keys.check_tokens(key, sqlite_copy.token_ciphertexts(db_file))
            if sqlite_path.exists() and not force:
                raise BackupError(
                    f"{sqlite_path} exists: nothing was changed. Stop every stravasync process "
                    "using it, then restore with --force to replace it"
                )
            for suffix in ("-wal", "-shm", "-journal"):  # the old file's, never the copy's
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
            os.replace(db_file, sqlite_path)
        else:
            postgres.restore(database_url, work / PG_FILE, manifest, key=key, force=force)
        if key is not None:
            keys.write_key(target_key, key)
    return Restored(manifest, database_url, target_key if key is not None else None)
