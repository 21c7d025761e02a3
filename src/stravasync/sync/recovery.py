"""After a crash: release what dead processes of this host held, close their sessions.

A process killed with ``kill -9`` leaves its leases behind. They expire on their own within
``STRAVASYNC_SYNC_LEASE_SECONDS`` (the heartbeat keeps live leases that short), and the next
pass of each athlete closes the session the dead process left ``running``. A process starting on
the same host does better at once: every lease whose owner's pid no longer exists here is
released (the rows resume from their last checkpoint) and the sessions of those athletes are
closed as ``interrupted``. An engine does this once, before its first unit of work.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Table

from stravasync.store import Database
from stravasync.store.pending import sessions as sessions_q
from stravasync.store.schema import jobs, notifications, scheduler_jobs, sync_state, webhook_events
from stravasync.work import dead_local, leases, pid_alive

log = logging.getLogger(__name__)

LEASED: tuple[tuple[Table, str], ...] = (
    (sync_state, "athlete_id"),
    (webhook_events, "id"),
    (jobs, "id"),
    (scheduler_jobs, "name"),
    (notifications, "id"),
)


def release_dead_local(
    db: Database,
    now: datetime,
    *,
    host: str | None = None,
    alive: Callable[[int], bool] = pid_alive,
) -> dict[str, int]:
    """Release the leases of dead processes of ``host`` (this one); returns counts per table."""
    host = host or socket.gethostname()
    released: dict[str, int] = {}
    with db.transaction() as conn:
        for table, key in LEASED:
            dead = sorted(dead_local(leases.holders(conn, table, now), host=host, alive=alive))
            keys = leases.release_owners(conn, table, key=key, owners=dead)
            if keys:
                released[table.name] = len(keys)
        # sessions of the athletes just released, and of any whose lease ran out earlier
        closed = sessions_q.close_interrupted(conn, now=now)
        if closed:
            released["interrupted sessions"] = closed
    if released:
        log.warning(
            "released the leases of dead processes on this host: %s",
            ", ".join(f"{n} {name}" for name, n in sorted(released.items())),
        )
    return released
