"""What the engine needs from Strava, as raw JSON: a thin adapter over the client.

The engine stores raw JSON (DESIGN: raw kept so schema changes never cost quota), so it asks
for dicts; this is the one place that knows the client's model classes. It also counts the
requests a pass made, for session summaries and ``--max-calls``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from stravasync.strava.client import StravaClient
from stravasync.strava.errors import BudgetExhausted, NotFound
from stravasync.strava.models import SummaryActivity
from stravasync.strava.quota.ratelimit import Priority
from stravasync.sync.strava_count import lower_bound


@dataclass(slots=True)
class StravaPort:
    client: StravaClient
    calls: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> time waiting on Strava

    @contextmanager
    def _counted(self, stage: str = "detail") -> Iterator[None]:
        """Count a request that reached Strava (a budget refusal sends nothing); time it."""
        started = time.monotonic()
        try:
            yield
        except BudgetExhausted:
            raise
        except BaseException:
            self.calls += 1
            raise
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.monotonic() - started
        self.calls += 1

    def list_page(
        self,
        token: str,
        *,
        priority: Priority,
        before: int | None = None,
        after: int | None = None,
        page: int = 1,
        per_page: int = 200,
    ) -> list[SummaryActivity]:
        with self._counted("listing"):
            result = self.client.list_activities(
                token, before=before, after=after, page=page, per_page=per_page, priority=priority
            )
        return list(result.activities)

    def activity_count(self, token: str, athlete_id: int, *, priority: Priority) -> int:
        """Strava's count of the athlete's rides, runs and swims (GET /athletes/{id}/stats):
        a lower bound of their history (:mod:`stravasync.sync.strava_count`)."""
        with self._counted("listing"):
            stats = self.client.get_athlete_stats(token, athlete_id, priority=priority)
        return lower_bound(stats)

    def detail(
        self, token: str, activity_id: int, *, priority: Priority, all_efforts: bool = False
    ) -> dict[str, Any] | None:
        """The DetailedActivity, or None when Strava answers 404 (deleted or not visible)."""
        try:
            with self._counted():
                activity = self.client.get_activity(
                    token, activity_id, include_all_efforts=all_efforts, priority=priority
                )
        except NotFound:
            return None
        return dict(activity.raw)

    def athlete_gear(
        self, token: str, *, priority: Priority
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
        """The athlete's bikes and shoes from GET /athlete (SummaryGear JSON), or None when the
        answer lists no gear (the summary representation: no ``profile:read_all``)."""
        with self._counted("gear"):
            athlete = self.client.get_athlete(token, priority=priority)
        if not athlete.lists_gear:
            return None
        raw = athlete.raw  # the JSON as sent (nested models keep no raw of their own)
        return (
            [dict(g) for g in raw.get("bikes") or [] if isinstance(g, dict)],
            [dict(g) for g in raw.get("shoes") or [] if isinstance(g, dict)],
        )

    def gear(self, token: str, gear_id: str, *, priority: Priority) -> dict[str, Any] | None:
        """One DetailedGear (GET /gear/{id}), or None when Strava answers 404."""
        try:
            with self._counted("gear"):
                found = self.client.get_gear(token, gear_id, priority=priority)
        except NotFound:
            return None
        return dict(found.raw)

    def streams(
        self, token: str, activity_id: int, keys: tuple[str, ...], *, priority: Priority
    ) -> Any:
        try:
            with self._counted():
                result = self.client.get_streams(
                    token, activity_id, keys=list(keys), priority=priority
                )
        except NotFound:
            return None
        return getattr(result, "raw", result)
