"""stravasync: a faithful local mirror of many athletes' Strava activities.

The library API is :class:`stravasync.Mirror` (docs/library.md). It is imported on first use,
so ``import stravasync`` stays cheap: no SQLAlchemy, FastAPI or HTTP client at import time.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stravasync.library import Activity, Gear, Mirror, SyncReport

try:
    __version__ = version("stravasync")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

_LAZY = {"Mirror", "Activity", "Gear", "SyncReport"}

__all__ = ["Activity", "Gear", "Mirror", "SyncReport", "__version__"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from stravasync import library

        return getattr(library, name)
    raise AttributeError(f"module 'stravasync' has no attribute {name!r}")
