"""The store: schema, migrations and the named queries every other package uses."""

from stravasync.store.database import Database
from stravasync.store.errors import DatabaseUnreachable, SchemaOutOfDate, StoreError
from stravasync.store.mirror.streams import read_streams

__all__ = ["Database", "DatabaseUnreachable", "SchemaOutOfDate", "StoreError", "read_streams"]
