"""What one sync pass did (counts for the session log, the run report and the planner)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stravasync.store.mirror import activities as acts
from stravasync.sync.planning.plan import Mode


@dataclass(slots=True)
class PassResult:
    mode: Mode
    pages: int = 0
    listed: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    details: int = 0
    gear_reads: int = 0
    complete: bool = True

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def add(self, result: acts.ApplyResult) -> None:
        self.created += len(result.created) + len(result.revived)
        self.updated += len(result.updated) + len(result.social_only)

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": str(self.mode),
            "pages": self.pages,
            "listed": self.listed,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "details": self.details,
            "gear_reads": self.gear_reads,
            "complete": self.complete,
        }
