"""Root of every error stravasync raises on purpose.

Each package area has its own root below this one (``StoreError``, ``StravaError``, ...), so a
caller can catch one area without catching programming errors. Errors carry data as attributes,
not only text.
"""

from __future__ import annotations


class StravaSyncError(Exception):
    """Base class for every deliberate stravasync error."""


class ConfigError(StravaSyncError):
    """Invalid configuration: ``variable`` names the setting, ``problem`` says what is allowed."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem
