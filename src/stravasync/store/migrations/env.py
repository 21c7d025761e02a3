"""Alembic environment: runs on the connection handed over by stravasync.store.migrate."""

from __future__ import annotations

from alembic import context

from stravasync.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - stravasync always passes a connection
    raise RuntimeError("run migrations through `stravasync db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
