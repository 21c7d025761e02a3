"""The simulator's HTTP face: the FastAPI apps, the gate in front of the Strava paths (rate
limits, faults, request counts) and the routes; built by :class:`stravasync.simulator.Simulator`.
"""
