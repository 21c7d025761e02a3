"""stravasync.simulator."""
