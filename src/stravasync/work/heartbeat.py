"""A heartbeat that keeps a lease alive while its unit of work runs.

Leases are short (``STRAVASYNC_SYNC_LEASE_SECONDS``, 20 s by default), so a killed process's work
is taken over within that time. A unit that runs longer (a backfill slice of ten pages on a slow
link, an event whose request waits on Strava) keeps its lease by renewing it every third of the
lease from a small thread. The thread only ever writes the lease's expiry; if the renewal finds
the lease gone (expired and taken over) it stops beating and says so in :attr:`Heartbeat.lost`,
and the unit's next checkpoint raises ``LeaseLost`` as before.

One thread per engine serves all its units in turn (``with heartbeat.hold(renew):``), started at
the first unit: a unit costs a lock and a notify, not a thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

Renew = Callable[[], bool]


class Heartbeat:
    """Renews the lease of the unit being held every ``every`` (wall) seconds.

    ``renew()`` returns False when the lease was lost. A renewal that raises (the database
    hiccupped) is logged and tried again at the next beat.
    """

    def __init__(self, *, every: float, name: str = "heartbeat") -> None:
        if every <= 0:
            raise ValueError("every must be positive")
        self._every = every
        self._name = name
        self._cond = threading.Condition()
        self._renew: Renew | None = None
        self._since = 0.0
        self._closed = False
        self._thread: threading.Thread | None = None
        self.lost = False
        self.beats = 0

    @contextmanager
    def hold(self, renew: Renew) -> Iterator[Heartbeat]:
        """Beat for ``renew`` while the block runs (the lease was just taken: first beat after
        one period)."""
        with self._cond:
            if self._closed:
                raise RuntimeError("heartbeat closed")
            self._renew, self._since, self.lost = renew, time.monotonic(), False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()
        try:
            yield self
        finally:
            with self._cond:
                self._renew = None
                self._cond.notify()

    def close(self) -> None:
        """Stop the thread (it also stops with the process: it is a daemon)."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                renew = self._renew
                if renew is None:
                    self._cond.wait()
                    continue
                left = self._since + self._every - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                self._since = time.monotonic()
                self._cond.release()
                try:
                    held = renew()
                except Exception as exc:
                    log.warning("lease renewal failed (%s); retrying", type(exc).__name__)
                    held = True
                finally:
                    self._cond.acquire()
                if renew is self._renew:  # still the same unit (not one that just ended)
                    self.beats += 1
                    if not held:
                        self.lost = True
                        self._renew = None
