"""stravasync.work: the generic machinery behind every piece of pending work.

It knows rows with a due time and a lease (:mod:`~stravasync.work.leases`), who holds a lease
and whether that process still lives (:mod:`~stravasync.work.owners`), a heartbeat that keeps a
lease short while its unit runs (:mod:`~stravasync.work.heartbeat`), the retry policy
(:mod:`~stravasync.work.retry`), a process clock's offset from the database's
(:mod:`~stravasync.work.skew`) and what keeps a run loop alive (:mod:`~stravasync.work.guard`),
and nothing about Strava, athletes or the tables that use it: ``store`` builds its claim queries
on the leases and ``sync`` runs its units with the rest. Nothing here imports another stravasync
package (only the ``clock`` module), so every package may depend on this one and the direction
stays one-way (the import-linter contracts in pyproject.toml check it).
"""

from stravasync.work import leases, skew
from stravasync.work.guard import backoff_seconds, describe
from stravasync.work.heartbeat import Heartbeat
from stravasync.work.owners import dead_local, new_owner, pid_alive
from stravasync.work.retry import DeadLetter, Retry, RetryPolicy, on_failure

__all__ = [
    "DeadLetter",
    "Heartbeat",
    "Retry",
    "RetryPolicy",
    "backoff_seconds",
    "dead_local",
    "describe",
    "leases",
    "new_owner",
    "on_failure",
    "pid_alive",
    "skew",
]
