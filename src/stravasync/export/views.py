"""The DuckDB warehouse's rollup views (same rules as stravasync.stats: local days, groups)."""

from __future__ import annotations

from stravasync.stats.eddington import KM, MILE
from stravasync.stats.facts import RACE_WORKOUT_TYPES, RIDE_SPORTS, RUN_SPORTS


def _in(values: frozenset[str] | frozenset[int]) -> str:
    return ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in sorted(values, key=str))


_GEAR_TOTALS = """count(*) AS count, sum(coalesce(a.distance, 0)) AS distance_m,
    sum(coalesce(a.moving_time, 0)) AS moving_time_s,
    sum(coalesce(a.total_elevation_gain, 0)) AS elevation_m"""
_TOTALS = """count(*) AS count, sum(coalesce(distance, 0)) AS distance_m,
    sum(coalesce(moving_time, 0)) AS moving_time_s,
    sum(coalesce(total_elevation_gain, 0)) AS elevation_m"""

VIEWS: dict[str, str] = {
    "activity_days": f"""
SELECT a.*,
    CAST(coalesce(a.start_date_local, a.start_date) AS DATE) AS local_day,
    CASE WHEN a.sport_type IN ({_in(RIDE_SPORTS)}) THEN 'ride'
         WHEN a.sport_type IN ({_in(RUN_SPORTS)}) THEN 'run' ELSE 'other' END AS sport_group
FROM activities a""",
    "daily_totals": f"""
SELECT athlete_id, local_day AS day, sport_type, {_TOTALS}
FROM activity_days GROUP BY athlete_id, local_day, sport_type""",
    "weekly_totals": f"""
SELECT athlete_id,
    CAST(isoyear(local_day) AS VARCHAR) || '-W' || lpad(CAST(week(local_day) AS VARCHAR), 2, '0')
        AS week,
    sport_type, {_TOTALS}
FROM activity_days GROUP BY ALL""",
    "monthly_totals": f"""
SELECT athlete_id, strftime(local_day, '%Y-%m') AS month, sport_type, {_TOTALS}
FROM activity_days GROUP BY ALL""",
    "yearly_totals": f"""
SELECT athlete_id, year(local_day) AS year, sport_type, {_TOTALS}
FROM activity_days GROUP BY ALL""",
    "eddington": f"""
WITH days AS (
    SELECT athlete_id, 'overall' AS sport_group, local_day, sum(distance) AS m
    FROM activity_days WHERE distance > 0 GROUP BY ALL
    UNION ALL
    SELECT athlete_id, sport_group, local_day, sum(distance) AS m
    FROM activity_days WHERE distance > 0 AND sport_group IN ('ride', 'run') GROUP BY ALL
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY athlete_id, sport_group ORDER BY m DESC) AS rk
    FROM days
)
SELECT athlete_id, sport_group,
    coalesce(max(CASE WHEN floor((m + 0.001) / {KM}) >= rk THEN rk END), 0) AS eddington_km,
    coalesce(max(CASE WHEN floor((m + 0.001) / {MILE}) >= rk THEN rk END), 0) AS eddington_miles
FROM ranked GROUP BY athlete_id, sport_group""",
    "races": f"""
SELECT * FROM activity_days WHERE workout_type IN ({_in(RACE_WORKOUT_TYPES)})""",
    # each sample with its activity's sport, its UTC time and how long it stands for (until the
    # next sample: Strava records more often when things change, so samples are not 1 s apart)
    "stream_points": """
SELECT s.*, a.sport_type,
    a.start_date + to_seconds(s.time_s) AS sampled_at,
    coalesce(lead(s.time_s) OVER (PARTITION BY s.activity_id ORDER BY s.sample) - s.time_s, 0)
        AS dt_s
FROM streams s JOIN activities a ON a.id = s.activity_id""",
    # per activity: duration-weighted averages (a sample counts for its dt_s)
    "stream_totals": """
SELECT activity_id, athlete_id, sport_type, count(*) AS samples,
    max(time_s) AS duration_s,
    sum(CASE WHEN moving THEN dt_s ELSE 0 END) AS moving_s,
    sum(heartrate * dt_s) / nullif(sum(CASE WHEN heartrate IS NOT NULL THEN dt_s END), 0)
        AS avg_heartrate,
    max(heartrate) AS max_heartrate,
    sum(watts * dt_s) / nullif(sum(CASE WHEN watts IS NOT NULL THEN dt_s END), 0) AS avg_watts,
    max(watts) AS max_watts,
    sum(cadence * dt_s) / nullif(sum(CASE WHEN cadence IS NOT NULL THEN dt_s END), 0)
        AS avg_cadence,
    max(velocity) AS max_velocity,
    max(altitude) - min(altitude) AS altitude_range_m
FROM stream_points GROUP BY activity_id, athlete_id, sport_type""",
    # per bike / pair of shoes: what the mirrored activities did with it (gear of no mirrored
    # activity is absent; an activity's gear not yet read from Strava has a NULL name)
    "gear_totals": f"""
SELECT a.athlete_id, a.gear_id, g.name AS gear_name, g.kind, g.retired, {_GEAR_TOTALS},
    sum(coalesce(a.elapsed_time, 0)) AS elapsed_time_s,
    min(a.local_day) AS first_day, max(a.local_day) AS last_day
FROM activity_days a LEFT JOIN gear g ON g.athlete_id = a.athlete_id AND g.id = a.gear_id
WHERE a.gear_id IS NOT NULL GROUP BY ALL""",
    "gear_yearly_totals": f"""
SELECT a.athlete_id, a.gear_id, g.name AS gear_name, year(a.local_day) AS year, {_GEAR_TOTALS}
FROM activity_days a LEFT JOIN gear g ON g.athlete_id = a.athlete_id AND g.id = a.gear_id
WHERE a.gear_id IS NOT NULL GROUP BY ALL""",
}


def view_statements() -> list[str]:
    """``CREATE OR REPLACE VIEW`` statements in dependency order."""
    return [f"CREATE OR REPLACE VIEW {name} AS {sql.strip()}" for name, sql in VIEWS.items()]
