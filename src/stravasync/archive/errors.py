"""Archive errors. A whole-archive problem raises; a problem with one row or one file is a
:class:`Problem` value in the import report, and everything else is still imported."""

from __future__ import annotations

from dataclasses import dataclass

from stravasync.errors import StravaSyncError


class ArchiveError(StravaSyncError):
    """The archive as a whole cannot be imported; ``path`` names it."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class ActivityFileError(Exception):
    """One activity file could not be read (internal: becomes a :class:`Problem`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in the archive that was skipped or looked odd.

    ``where`` is ``activities.csv`` (line N) or an archive member name; ``activity_id`` when
    known; ``severity`` is ``error`` (the row was not imported) or ``warning`` (imported anyway).
    """

    where: str
    reason: str
    activity_id: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        act = f" (activity {self.activity_id})" if self.activity_id is not None else ""
        return f"{self.severity}: {self.where}{act}: {self.reason}"

    def as_json(self) -> dict[str, object]:
        return {
            "where": self.where,
            "reason": self.reason,
            "activity_id": self.activity_id,
            "severity": self.severity,
        }
