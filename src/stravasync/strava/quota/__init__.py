"""The shared rate budget: Strava's windows and limits, the counters and their stored rows, the
decisions that spend them, and the tiers Strava's headers state.
"""
