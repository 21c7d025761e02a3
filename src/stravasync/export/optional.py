"""The optional export packages (pyarrow, duckdb), imported only when an export needs them.

Without them the core package still works; the export says exactly what to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from stravasync.export.errors import MissingExtra


def _load(module: str, package: str, purpose: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(package, purpose) from exc


def pyarrow(purpose: str) -> tuple[ModuleType, ModuleType]:
    """``(pyarrow, pyarrow.parquet)`` or :class:`MissingExtra`."""
    return _load("pyarrow", "pyarrow", purpose), _load("pyarrow.parquet", "pyarrow", purpose)


def duckdb(purpose: str) -> ModuleType:
    """The ``duckdb`` module or :class:`MissingExtra`."""
    return _load("duckdb", "duckdb", purpose)
