"""stravasync.stats: Eddington numbers, rollups, races and records per athlete.

``refresh.refresh_athlete_stats`` keeps a cached copy current after each sync;
``service.athlete_stats`` reads it (JSON-ready).
"""
