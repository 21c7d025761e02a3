"""Errors of the store area."""

from __future__ import annotations

from stravasync.errors import StravaSyncError


class StoreError(StravaSyncError):
    """Root of store errors."""


class DatabaseUnreachable(StoreError):
    """The database could not be opened or reached. ``url`` has its password masked."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach the database at {url}: {reason}")
        self.url = url
        self.reason = reason


class SchemaOutOfDate(StoreError):
    """The database is not at the migration head (run ``stravasync db upgrade``)."""

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(f"database schema is at {current or 'nothing'}, expected {head}")
        self.current = current
        self.head = head
