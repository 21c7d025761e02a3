"""Counting the requests this process sent to Strava, by endpoint template and status.

Per process, like every Prometheus counter: ``/metrics`` of a process that runs engine threads
exports them (``stravasync_strava_api_requests_total``). Status 0 means no answer (timeout,
connection failure); a request our budget refused was never sent and is not counted.
"""

from __future__ import annotations

import re
import threading
from collections import Counter

_ID = re.compile(r"/\d+(?=/|$)")
_GEAR_ID = re.compile(r"/gear/[^/]+")  # b123 / g123: not digits alone


def endpoint_of(method: str, path: str) -> str:
    """``GET /api/v3/activities/{id}``: ids (and gear ids) replaced so labels stay few."""
    return f"{method} {_ID.sub('/{id}', _GEAR_ID.sub('/gear/{id}', path))}"


class CallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, int]] = Counter()

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self._counts[(endpoint_of(method, path), status)] += 1

    def snapshot(self) -> dict[tuple[str, int], int]:
        with self._lock:
            return dict(self._counts)


API_CALLS = CallCounter()
