"""Token encryption keys: env key, generated 0600 key file, a wrong key refused clearly."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from stravasync.strava.crypto import TokenCipher, load_cipher, verify_key
from stravasync.strava.errors import SecretKeyError


def test_generated_key_file_is_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "secret.key"
    first = load_cipher(None, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = first.encrypt("abc")
    assert "abc" not in secret
    assert load_cipher(None, path).decrypt(secret) == "abc"


def test_a_different_key_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    stored = load_cipher(None, tmp_path / "k").encrypt("refresh-token")
    other = load_cipher(Fernet.generate_key().decode(), tmp_path / "unused")
    with pytest.raises(SecretKeyError, match="cannot decrypt the stored Strava tokens"):
        verify_key(other, stored)
    verify_key(other, None)  # nothing stored yet: any key is fine


def test_malformed_key_and_rotation(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match="not a valid Fernet key"):
        load_cipher("not-a-key", tmp_path / "k")
    old, new = Fernet.generate_key(), Fernet.generate_key()
    stored = TokenCipher([old]).encrypt("t")
    rotated = load_cipher(f"{new.decode()},{old.decode()}", tmp_path / "k")
    assert rotated.decrypt(stored) == "t"
    assert TokenCipher([new]).decrypt(rotated.encrypt("u")) == "u"
