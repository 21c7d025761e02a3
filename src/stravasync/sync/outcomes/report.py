"""What a burst of the engine did: counts per outcome, calls, sessions, when work is next due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class RunReport:
    """What a run did (``POST /api/cron/sync`` returns the first five and the session id)."""

    synced: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    cancelled: int = 0
    events: int = 0
    jobs: int = 0
    api_calls: int = 0
    sessions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "athlete N: why", one per failed unit
    next_due_at: datetime | None = None  # when the run ended: the earliest work still scheduled

    def as_json(self) -> dict[str, Any]:
        return {
            "synced": self.synced,
            "failed": self.failed,
            "skipped": self.skipped,
            "deferred": self.deferred,
            "cancelled": self.cancelled,
            "events": self.events,
            "jobs": self.jobs,
            "api_calls": self.api_calls,
            "session_id": self.sessions[-1] if self.sessions else None,
            "sessions": len(self.sessions),
            "errors": list(self.errors),
            "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None,
        }
