"""Backup and restore on both backends: the restored database holds the manifest's rows and
its tokens decrypt with the restored key; a second restore over it is refused without force."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from stravasync.backup import BackupError, create_backup, restore_backup
from stravasync.store import Database
from stravasync.store.people import tokens as token_q
from stravasync.store.schema import athletes, tokens
from stravasync.strava.crypto import TokenCipher, load_cipher
from tests.conftest import PostgresFactory
from tests.integration.web.conftest import START, add_athlete


def _target(db_url: str, tmp_path: Path, pg_factory: PostgresFactory | None) -> str:
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'mirror.db'}"
    assert pg_factory is not None
    return pg_factory.new_database(empty=True)


def test_backup_restore_round_trip(
    db: Database, db_url: str, tmp_path: Path, pg_factory: PostgresFactory | None
) -> None:
    key = Fernet.generate_key().decode()
    cipher = TokenCipher([key.encode()])
    for athlete_id in (3, 4, 5):
        add_athlete(db, athlete_id)
        with db.transaction() as conn:
            token_q.save(
                conn,
                athlete_id,
                access_enc=cipher.encrypt(f"a{athlete_id}"),
                refresh_enc=cipher.encrypt(f"r{athlete_id}"),
                expires_at=START + timedelta(hours=1),
                scope="read",
                now=START,
            )
    archive = tmp_path / "b.tar.gz"
    manifest = create_backup(
        db_url, out=archive, secret_key=key, key_file=tmp_path / "unused.key", now=START
    )
    assert manifest.tables["tokens"] == 3 and manifest.tables["athletes"] == 3
    assert manifest.revision is not None

    target = _target(db_url, tmp_path, pg_factory)
    restored_key = tmp_path / "restored" / "secret.key"
    done = restore_backup(archive, database_url=target, key_file=restored_key)
    assert done.key_file == restored_key
    back = Database.open(target, upgrade=False)
    try:
        with back.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(athletes)).scalar_one() == 3
            stored = conn.execute(select(tokens.c.athlete_id, tokens.c.access_token_enc)).all()
        new_cipher = load_cipher(None, restored_key)
        assert sorted((a, new_cipher.decrypt(v)) for a, v in stored) == [
            (3, "a3"),
            (4, "a4"),
            (5, "a5"),
        ]
    finally:
        back.close()
    with pytest.raises(BackupError, match="--force"):
        restore_backup(archive, database_url=target, key_file=restored_key)
    restore_backup(archive, database_url=target, key_file=restored_key, force=True)
    if pg_factory is not None and not target.startswith("sqlite"):
        pg_factory.drop(target)


def test_backup_refuses_tokens_without_a_key(db: Database, db_url: str, tmp_path: Path) -> None:
    add_athlete(db, 3)
    with db.transaction() as conn:
        token_q.save(
            conn,
            3,
            access_enc="x",
            refresh_enc="y",
            expires_at=START,
            scope="read",
            now=START,
        )
    with pytest.raises(BackupError, match="no key is configured"):
        create_backup(
            db_url,
            out=tmp_path / "b.tar.gz",
            secret_key=None,
            key_file=tmp_path / "no.key",
            now=START,
        )
    assert not (tmp_path / "b.tar.gz").exists()
