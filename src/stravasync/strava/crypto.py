"""Tokens encrypted at rest with Fernet (``cryptography``).

The key comes from ``STRAVASYNC_SECRET_KEY`` (one Fernet key, or several separated by commas:
the first encrypts, all decrypt, for key rotation). Without it, a key file is used
(``STRAVASYNC_KEY_FILE``, default ``./data/secret.key``), generated on first run with mode
0600 and a log line saying where it is. :func:`verify_key` refuses to go on when the key
cannot decrypt tokens already stored (a changed or lost key), with a message saying so.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from stravasync.strava.errors import SecretKeyError

log = logging.getLogger(__name__)


class TokenCipher:
    """Encrypts and decrypts token strings; ``source`` says where the key came from."""

    def __init__(self, keys: Sequence[bytes], *, source: str = "a key") -> None:
        if not keys:
            raise SecretKeyError("no token encryption key given")
        try:
            self._fernet = MultiFernet([Fernet(k) for k in keys])
        except (ValueError, TypeError):
            raise SecretKeyError(
                f"the token encryption key from {source} is not a valid Fernet key (32 url-safe "
                "base64 bytes; create one with `python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'`)"
            ) from None
        self.source = source

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise SecretKeyError(
                f"the token encryption key from {self.source} cannot decrypt the stored Strava "
                "tokens: it is not the key they were encrypted with. Restore the original "
                "STRAVASYNC_SECRET_KEY or key file, or reconnect every athlete after deleting "
                "their tokens"
            ) from None


def _split(value: str) -> list[bytes]:
    return [part.strip().encode() for part in value.split(",") if part.strip()]


def load_cipher(secret_key: str | None, key_file: Path) -> TokenCipher:
    """The cipher from ``secret_key`` if set, else from ``key_file`` (created 0600 if absent)."""
    if secret_key:
        return TokenCipher(_split(secret_key), source="STRAVASYNC_SECRET_KEY")
    path = key_file.expanduser()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return load_cipher(None, path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key + b"\n")
        log.warning(
            "generated a new token encryption key in %s (mode 0600); back it up: without it "
            "the stored Strava tokens cannot be read",
            path,
            extra={"key_file": str(path)},
        )
    try:
        text = path.read_text().strip()
    except OSError as exc:
        raise SecretKeyError(f"cannot read the key file {path}: {exc.strerror}") from None
    return TokenCipher(_split(text), source=f"the key file {path}")


def verify_key(cipher: TokenCipher, sample: str | None) -> None:
    """Raise :class:`SecretKeyError` if ``sample`` (one stored ciphertext) does not decrypt."""
    if sample is not None:
        cipher.decrypt(sample)
