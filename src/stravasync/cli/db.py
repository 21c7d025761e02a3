"""``stravasync db ...``: schema migrations."""

from __future__ import annotations

import typer

from stravasync.cli.common import console, friendly_errors, open_database, settings

app = typer.Typer(help="Database schema commands.", no_args_is_help=True)


@app.command("upgrade")
@friendly_errors
def upgrade() -> None:
    """Migrate the database to the newest schema."""
    cfg = settings()
    db = open_database(cfg, upgrade=True)
    from stravasync.store.migrate import current_revision

    console.print(f"database {db.url} is at revision {current_revision(db.engine)}")
