"""``stravasync backup`` / ``stravasync restore``: the database and the token key as one archive."""

from __future__ import annotations

from pathlib import Path

import typer

from stravasync.cli.common import console, friendly_errors, service_clock, settings


@friendly_errors
def backup(
    out: Path = typer.Argument(..., help="The archive to write (.tar.gz); never overwritten."),
) -> None:
    """Copy the database (online: `serve` may run) and the token key into one archive."""
    from stravasync.backup import create_backup

    cfg = settings()
    secret = cfg.secret_key.get_secret_value() if cfg.secret_key is not None else None
    manifest = create_backup(
        cfg.database_url,
        out=out,
        secret_key=secret,
        key_file=cfg.key_file,
        now=service_clock(cfg).now(),
    )
    rows = sum(manifest.tables.values())
    console.print(
        f"backup {out}: {manifest.backend} at revision {manifest.revision}, "
        f"{len(manifest.tables)} tables, {rows} rows, {manifest.tokens} tokens readable"
        + ("" if "secret.key" in manifest.files else "; no key file (no tokens stored)"),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


@friendly_errors
def restore(
    archive: Path = typer.Argument(..., help="An archive written by `stravasync backup`."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="Restore into this database (default: the configured one)."
    ),
    key_file: Path | None = typer.Option(
        None, "--key-file", help="Write the key here (default: STRAVASYNC_KEY_FILE)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace an existing database and key file (stop serve first)."
    ),
) -> None:
    """Verify an archive (checksums, row counts, tokens readable) and restore it."""
    from stravasync.backup import restore_backup

    cfg = settings()
    done = restore_backup(
        archive,
        database_url=database_url or cfg.database_url,
        key_file=key_file or cfg.key_file,
        force=force,
    )
    m = done.manifest
    where = f"; key in {done.key_file}" if done.key_file is not None else ""
    console.print(
        f"restored {sum(m.tables.values())} rows in {len(m.tables)} tables (counts match the "
        f"manifest of {m.created_at}), {m.tokens} tokens readable{where}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    if cfg.secret_key is not None and done.key_file is not None:
        console.print(
            "note: STRAVASYNC_SECRET_KEY is set and wins over the key file: set it to the "
            "restored key, or unset it",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
