"""The token key in a backup: taken from ``STRAVASYNC_SECRET_KEY`` or the key file, checked
against the stored tokens on restore. The key's text is never printed or logged."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from stravasync.backup.manifest import BackupError
from stravasync.strava.crypto import TokenCipher
from stravasync.strava.errors import SecretKeyError


def current_key(secret_key: str | None, key_file: Path) -> bytes | None:
    """The configured key material (None when neither the setting nor the file exists)."""
    if secret_key:
        return secret_key.strip().encode() + b"\n"
    path = key_file.expanduser()
    if not path.exists():
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BackupError(f"cannot read the key file {path}: {exc.strerror}") from None


def check_tokens(key: bytes | None, ciphertexts: Iterable[str]) -> int:
    """How many stored tokens ``key`` decrypts; :class:`BackupError` if one does not."""
    stored = list(ciphertexts)
    if not stored:
        return 0
    if key is None:
        raise BackupError("the archive holds tokens but no key file: they could not be read")
    parts = [p.strip().encode() for p in key.decode().split(",") if p.strip()]
    try:
        cipher = TokenCipher(parts, source="the archived key")
        for text in stored:
            cipher.decrypt(text)
    except SecretKeyError:
        raise BackupError(
            "the archived key does not decrypt the archived tokens (the archive mixes a database "
            "and a key that do not belong together)"
        ) from None
    return len(stored)


def write_key(path: Path, key: bytes) -> None:
    """Write the key file with mode 0600 (replacing one there, atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.restore")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    os.replace(tmp, path)
