"""stravasync.work: the generic machinery behind every piece of pending work.

It knows rows with a due time and a lease, a retry policy and a run loop, and nothing about
Strava, athletes or the tables that use it: ``store`` builds its claim queries on
:mod:`~stravasync.work.leases` and ``sync`` runs its units with the policy from
:mod:`~stravasync.work.retry`. Nothing here imports another stravasync package, so every package
may depend on this one and the direction stays one-way (the import-linter contract in
pyproject.toml checks it).
"""

from stravasync.work import leases
from stravasync.work.retry import DeadLetter, Retry, RetryPolicy, on_failure

__all__ = ["DeadLetter", "Retry", "RetryPolicy", "leases", "on_failure"]
