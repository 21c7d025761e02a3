"""Errors of the simulator area: one root, each carrying its data."""

from __future__ import annotations

from stravasync.errors import StravaSyncError


class SimulatorError(StravaSyncError):
    """Root of every error the simulator raises on purpose."""


class SimConfigError(SimulatorError):
    """An invalid :class:`~stravasync.simulator.config.SimConfig` value."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


class UnknownAthlete(SimulatorError):
    """No simulated athlete has this id."""

    def __init__(self, athlete_id: int) -> None:
        super().__init__(f"no simulated athlete {athlete_id}")
        self.athlete_id = athlete_id


class CapacityExceeded(SimulatorError):
    """The application already has ``capacity`` connected athletes."""

    def __init__(self, capacity: int) -> None:
        super().__init__(f"Limit of connected athletes exceeded ({capacity})")
        self.capacity = capacity


class NotVirtualTime(SimulatorError):
    """Advancing time needs a VirtualClock; the simulator runs on another clock."""

    def __init__(self, clock: str) -> None:
        super().__init__(f"cannot advance a {clock}: only a VirtualClock moves on demand")
        self.clock = clock
