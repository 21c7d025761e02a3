"""stravasync.sync: the sync engine (planner, modes, webhook events, the units of work).

Other packages use what is named here: :func:`build_engine` wires an :class:`Engine` from
settings, :meth:`Engine.run_until_idle` runs a burst and returns a :class:`RunReport`. The
modules inside are the engine's own parts; tests may reach into them, other packages should
not. ``sync`` depends on ``work`` (leases, retries), ``store`` and ``strava``, never the reverse.
"""

from stravasync.sync.config import EngineConfig
from stravasync.sync.engine import Engine
from stravasync.sync.factory import build_engine
from stravasync.sync.outcomes.report import RunReport
from stravasync.sync.planning.plan import Mode
from stravasync.sync.settings import WEBHOOK_SUBSCRIPTION_KEY

__all__ = [
    "WEBHOOK_SUBSCRIPTION_KEY",
    "Engine",
    "EngineConfig",
    "Mode",
    "RunReport",
    "build_engine",
]
