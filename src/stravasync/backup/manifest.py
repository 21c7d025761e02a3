"""What a backup archive holds, written as ``manifest.json`` beside the copies.

The manifest names every file with its sha256, the database's row count per table and its
schema revision, so a restore can prove the copy is whole before it touches anything. It never
holds a key or a token.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stravasync.errors import StravaSyncError

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
KEY_FILE = "secret.key"


class BackupError(StravaSyncError):
    """A backup that cannot be made or an archive that cannot be restored; the message says why
    (and that nothing was changed, when that is so)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    backend: str  # sqlite | postgresql
    revision: str | None
    created_at: str
    tables: dict[str, int]  # rows per table
    files: dict[str, str]  # archive member -> sha256
    tokens: int = 0
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": self.format,
                "backend": self.backend,
                "revision": self.revision,
                "created_at": self.created_at,
                "tables": self.tables,
                "files": self.files,
                "tokens": self.tokens,
                "extra": self.extra,
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def parse(cls, text: str) -> Manifest:
        """The manifest in ``text``; :class:`BackupError` when it is not one this version reads."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise BackupError(f"the manifest is not a format-{FORMAT} stravasync backup")
            tables = {str(k): int(v) for k, v in dict(data["tables"]).items()}
            files = {str(k): str(v) for k, v in dict(data["files"]).items()}
            backend = str(data["backend"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"the manifest cannot be read ({type(exc).__name__})") from None
        if backend not in ("sqlite", "postgresql"):
            raise BackupError(f"the manifest names an unknown backend {backend!r}")
        return cls(
            backend=backend,
            revision=data.get("revision"),
            created_at=str(data.get("created_at", "")),
            tables=tables,
            files=files,
            tokens=int(data.get("tokens", 0)),
            extra=dict(data.get("extra") or {}),
        )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_mismatches(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    """Tables whose row counts differ, as ``name: expected N, found M`` (pure)."""
    names = sorted(set(expected) | set(found))
    return [
        f"{n}: expected {expected.get(n, 'no table')}, found {found.get(n, 'no table')}"
        for n in names
        if expected.get(n) != found.get(n)
    ]
