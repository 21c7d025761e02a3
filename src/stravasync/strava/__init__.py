"""stravasync.strava."""
