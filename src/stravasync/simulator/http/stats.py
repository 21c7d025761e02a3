"""Request counters for GET /_sim/stats: by endpoint template and status."""

from __future__ import annotations

import re
import threading
from collections import Counter

_NUMBER = re.compile(r"/\d+")
_GEAR = re.compile(r"/gear/[^/]+")


def endpoint(method: str, path: str) -> str:
    """``GET /api/v3/activities/{id}`` for ``GET /api/v3/activities/123``
    (``/gear/{id}`` for ``/gear/b123``)."""
    return f"{method} {_NUMBER.sub('/{id}', _GEAR.sub('/gear/{id}', path))}"


class RequestStats:
    def __init__(self) -> None:
        self._counts: Counter[tuple[str, int]] = Counter()
        self.total = 0
        self.rate_limited = 0
        self._lock = threading.Lock()

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self._counts[(endpoint(method, path), status)] += 1
            self.total += 1
            if status == 429:
                self.rate_limited += 1

    def by_endpoint(self) -> dict[str, dict[str, int]]:
        with self._lock:
            out: dict[str, dict[str, int]] = {}
            for (name, status), count in sorted(self._counts.items()):
                out.setdefault(name, {})[str(status)] = count
            return out
