"""stravasync.simulator: a faithful Strava API simulator with a living world and virtual time.

from stravasync.simulator import Simulator, SimConfig
sim = Simulator(SimConfig(seed=7, athletes=50), clock=VirtualClock())
client = sim.http_client()          # in-process, no socket
code = sim.grant(sim.athlete_ids()[0])
"""

from stravasync.simulator.config import TIERS, QuotaLimits, SimConfig, parse_quota
from stravasync.simulator.content.model import Change
from stravasync.simulator.core import Simulator
from stravasync.simulator.errors import (
    CapacityExceeded,
    NotVirtualTime,
    SimConfigError,
    SimulatorError,
    UnknownAthlete,
)
from stravasync.simulator.faults import Faults
from stravasync.simulator.transport import InProcessTransport, in_process_client

__all__ = [
    "TIERS",
    "CapacityExceeded",
    "Change",
    "Faults",
    "InProcessTransport",
    "NotVirtualTime",
    "QuotaLimits",
    "SimConfig",
    "SimConfigError",
    "Simulator",
    "SimulatorError",
    "UnknownAthlete",
    "in_process_client",
    "parse_quota",
]
