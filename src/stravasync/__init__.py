"""stravasync: a faithful local mirror of many athletes' Strava activities."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stravasync")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
