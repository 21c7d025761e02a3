"""Errors of the export area: each names what went wrong and what to do."""

from __future__ import annotations

from stravasync.errors import StravaSyncError

EXPORT_EXTRA_HINT = 'pip install "stravasync[export]"'


class ExportError(StravaSyncError):
    """Root of every export error."""


class MissingExtra(ExportError):
    """An optional package (pyarrow, duckdb) is not installed: ``package`` says which."""

    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the optional package {package!r}, which is not installed; "
            f"install the export extra: {EXPORT_EXTRA_HINT}"
        )
        self.package = package
        self.purpose = purpose
        self.hint = EXPORT_EXTRA_HINT


class WarehouseMissing(ExportError):
    """``stravasync query`` was pointed at a DuckDB file that does not exist yet."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"no DuckDB warehouse at {path}: create it with "
            f"`stravasync export --format duckdb --out {path}`"
        )
        self.path = path


class QueryFailed(ExportError):
    """DuckDB rejected a query; ``reason`` is its message."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"query failed: {reason}")
        self.reason = reason


class WarehouseBehind(ExportError):
    """The warehouse predates a purge or an activity deletion: it may still hold data that
    must be gone, so ``query`` does not serve it. ``missed``: removals since its refresh."""

    def __init__(self, path: str, missed: int) -> None:
        super().__init__(
            f"the DuckDB warehouse at {path} predates {missed} purge(s) or deletion(s) in the "
            "mirror and may still hold data that must be gone, so it is not queried: refresh "
            f"it with `stravasync export --format duckdb --out {path}` (a running service "
            "does so within STRAVASYNC_COPIES_PRUNE_SECONDS)"
        )
        self.path = path
        self.missed = missed
