"""A heartbeat that keeps a lease alive while its unit of work runs.

Leases are short (``STRAVASYNC_SYNC_LEASE_SECONDS``, 20 s by default), so a killed process's work
is taken over within that time. A unit that runs longer (a backfill slice of ten pages on a slow
link, an event whose request waits on Strava) keeps its lease by renewing it every third of the
lease from a small thread. The thread only ever writes the lease's expiry; if the renewal finds
the lease gone (expired and taken over) it stops and says so in :attr:`Heartbeat.lost`, and the
unit's next checkpoint raises ``LeaseLost`` as before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)


class Heartbeat:
    """``with Heartbeat(renew, every=lease / 3):`` renews every ``every`` (wall) seconds.

    ``renew()`` returns False when the lease was lost. A renewal that raises (the database
    hiccupped) is logged and tried again at the next beat.
    """

    def __init__(self, renew: Callable[[], bool], *, every: float, name: str = "heartbeat") -> None:
        if every <= 0:
            raise ValueError("every must be positive")
        self._renew = renew
        self._every = every
        self._name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False
        self.beats = 0

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                held = self._renew()
            except Exception as exc:
                log.warning("lease renewal failed (%s); retrying", type(exc).__name__)
                continue
            self.beats += 1
            if not held:
                self.lost = True
                log.warning("lease lost while its unit of work was running")
                return

    def __enter__(self) -> Heartbeat:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)  # a renewal waits at most the busy timeout
