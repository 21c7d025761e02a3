"""Lease owners: who holds a lease, and which holders are known to be dead.

An owner id is ``host:pid:tag`` (the tag tells two engines of one process apart). A process that
was killed (``kill -9``, OOM, power cut) cannot release its leases; they expire on their own
(the heartbeat keeps live ones short), but a process starting on the same host can tell at once
that a holder is gone: its pid no longer exists. :func:`dead_local` is that decision, pure; the
caller passes how to ask whether a pid is alive.

Same host means same host name *and* same pid namespace: containers that share a host name must
share their pids too (``network_mode: host`` without ``pid: host`` would break the rule, and
then only the lease expiry applies as before).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Owner:
    host: str
    pid: int
    tag: str


def new_owner() -> str:
    """An owner id for this process: ``host:pid:tag``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def parse_owner(value: str) -> Owner | None:
    """The parts of an owner id, or None for ids of another shape (tests name owners freely)."""
    parts = value.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return Owner(parts[0], int(parts[1]), parts[2])


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists here (signal 0 probes without sending)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def dead_local(owners: Iterable[str], *, host: str, alive: Callable[[int], bool]) -> set[str]:
    """The owners on ``host`` whose process is gone; others (other hosts, odd ids) are kept."""
    dead: set[str] = set()
    for value in owners:
        owner = parse_owner(value)
        if owner is not None and owner.host == host and not alive(owner.pid):
            dead.add(value)
    return dead
