"""Generating an athlete's activities, one week-block at a time, from (seed, athlete, week).

A block holds the activities whose start falls in one epoch-aligned week. Each activity comes with
its upload delay (late uploads included), processing delay, kudos arrivals, scheduled edits (with
or without webhook events) and maybe a deletion, all decided here and never changed afterwards.
"""

from __future__ import annotations

import math
import random
from array import array
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from stravasync.simulator.content.edits import DESCRIPTIONS, schedule_edits
from stravasync.simulator.content.model import ACTIVITY_EPOCH, Activity, AthleteProfile, pack
from stravasync.simulator.content.rng import stable_int, stable_rng
from stravasync.simulator.content.sports import (
    CUSTOM_NAMES,
    SPORTS,
    Sport,
    default_name,
)

WEEK = 7 * 86400


def block_of(epoch: int) -> int:
    return epoch // WEEK


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    roll, acc = rng.random() * sum(weights.values()), 0.0
    for key, weight in weights.items():
        acc += weight
        if roll < acc:
            return key
    return next(iter(weights))


def tz_label(tz_name: str, offset: int) -> str:
    """Strava's label, e.g. ``(GMT+01:00) Europe/Berlin``: ``offset`` is the zone's standard
    offset (Strava writes it all year; ``utc_offset`` carries daylight saving)."""
    sign = "+" if offset >= 0 else "-"
    hours, rest = divmod(abs(offset), 3600)
    return f"(GMT{sign}{hours:02d}:{rest // 60:02d}) {tz_name}"


def generate_block(
    seed: int, profile: AthleteProfile, block: int, used_ids: set[int], churn: float = 1.0
) -> list[Activity]:
    """The activities of ``profile`` starting in week ``block`` (unfiltered by history start)."""
    rng = stable_rng(seed, "block", profile.index, block)
    zone = ZoneInfo(profile.tz_name)
    out: list[Activity] = []
    for _ in range(_poisson(rng, profile.per_week)):
        day = datetime.fromtimestamp(block * WEEK + rng.randrange(7) * 86400, UTC).date()
        hour = min(23.5, max(4.5, rng.gauss(profile.start_hour, 1.6)))
        local = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(hours=hour)
        offset_td = local.utcoffset() or timedelta(0)
        standard = offset_td - (local.dst() or timedelta(0))
        start = int(local.timestamp())
        sport = SPORTS[_pick(rng, profile.mix)]
        out.append(
            _activity(
                rng,
                seed,
                profile,
                sport,
                start,
                int(offset_td.total_seconds()),
                int(standard.total_seconds()),
                int(hour),
                used_ids,
                churn,
            )
        )
    return out


def _activity(
    rng: random.Random,
    seed: int,
    p: AthleteProfile,
    sport: Sport,
    start: int,
    offset: int,
    standard_offset: int,
    local_hour: int,
    used_ids: set[int],
    churn: float,
) -> Activity:
    manual = rng.random() < 0.03
    trainer = sport.trainer
    gps = sport.gps and not manual
    if sport.distance_km > 0:
        dist = rng.lognormvariate(math.log(sport.distance_km * 1000), sport.distance_spread)
        dist = min(max(dist, sport.distance_km * 250), sport.distance_km * 5000)
        speed = max(sport.speed * 0.4, rng.gauss(sport.speed, sport.speed_sd))
        moving = int(dist / speed)
    else:
        dist, speed = 0.0, 0.0
        moving = int(rng.lognormvariate(math.log(sport.minutes * 60), 0.3))
    elapsed = int(moving * (rng.uniform(1.0, 1.04) if trainer else rng.uniform(1.01, 1.3)))
    climb = dist / 1000 * sport.climb_per_km * rng.lognormvariate(0, 0.5) if not trainer else 0.0
    low = 20 + (p.index * 37) % 900 + rng.uniform(-10, 10)
    has_hr = p.has_hr and not manual
    family = sport.family
    avg_hr = round(rng.uniform(118, 158), 1) if has_hr else None
    device_watts = family == "ride" and (p.has_power or sport.sport_type == "VirtualRide")
    watts = None
    if sport.watts is not None and not manual:
        watts = round(sport.watts * rng.uniform(0.7, 1.25), 1)
    cadence = round(sport.cadence + rng.uniform(-6, 6), 1) if sport.cadence and not manual else None
    home_lat, home_lng = p.home
    start_ll: list[float] = []
    end_ll: list[float] = []
    if gps:
        slat, slng = home_lat + rng.uniform(-0.02, 0.02), home_lng + rng.uniform(-0.02, 0.02)
        start_ll = [round(slat, 6), round(slng, 6)]
        if rng.random() < 0.7:
            end_ll = [
                round(slat + rng.uniform(-4e-4, 4e-4), 6),
                round(slng + rng.uniform(-4e-4, 4e-4), 6),
            ]
        else:  # point to point: displaced by at most ~60% of the distance
            reach = dist * 0.6 / 111_320
            end_ll = [
                round(slat + rng.uniform(-reach, reach) * 0.7, 6),
                round(slng + rng.uniform(-reach, reach), 6),
            ]
    if sport.sport_type == "VirtualRide":
        device = "Zwift"
    elif manual:
        device = None
    elif rng.random() < 0.15:
        device = "Strava App"
    else:
        device = p.devices[0] if family == "ride" else p.devices[1]
    if family == "ride" and p.bikes:
        gear = p.bikes[0].id if rng.random() < 0.8 else rng.choice(p.bikes).id
    elif family == "run" and p.shoes:
        gear = p.shoes[0].id if rng.random() < 0.8 else rng.choice(p.shoes).id
    else:
        gear = None
    workout: int | None = None
    if family == "run":
        roll = rng.random()
        workout = 1 if roll < 0.03 else 3 if roll < 0.13 else 2 if dist > 16000 else 0
    elif family == "ride":
        roll = rng.random()
        workout = 11 if roll < 0.02 else 12 if roll < 0.10 else 10 if roll < 0.4 else None
    roll = rng.random()
    visibility = (
        "only_me"
        if roll < p.private_share
        else "followers_only"
        if roll < p.private_share + p.followers_share
        else "everyone"
    )
    name = (
        rng.choice(CUSTOM_NAMES)
        if rng.random() < 0.12
        else default_name(sport.sport_type, local_hour)
    )
    end = start + elapsed
    roll = rng.random()
    if manual:
        upload = end + int(rng.uniform(600, 3 * 86400))
    elif roll < 0.80:
        upload = end + int(rng.uniform(60, 1800))
    elif roll < 0.94:
        upload = end + int(rng.uniform(3600, 12 * 3600))
    else:
        upload = end + int(rng.uniform(86400, 7 * 86400))  # device synced days later
    visible = upload + int(rng.uniform(5, 90))
    slot = 0
    act_id = ((upload - ACTIVITY_EPOCH) * 16 + slot) * 100_000 + p.index
    while act_id in used_ids:
        slot += 1
        act_id = ((upload - ACTIVITY_EPOCH) * 16 + slot) * 100_000 + p.index
    used_ids.add(act_id)
    kj = round(watts * moving / 1000, 1) if watts is not None and family == "ride" else None
    base: dict[str, Any] = {
        "name": name,
        "distance": round(dist, 1),
        "moving_time": moving,
        "elapsed_time": elapsed,
        "total_elevation_gain": round(climb, 1),
        "elev_high": round(low + climb * 0.45, 1) if gps else None,
        "elev_low": round(low, 1) if gps else None,
        "type": sport.legacy_type,
        "sport_type": sport.sport_type,
        "workout_type": workout,
        "start_latlng": start_ll,
        "end_latlng": end_ll,
        "achievement_count": rng.randint(0, 8) if gps and visibility != "only_me" else 0,
        "comment_count": rng.randint(1, 3) if rng.random() < 0.1 else 0,
        "athlete_count": rng.randint(2, 12) if family == "ride" and rng.random() < 0.2 else 1,
        "photo_count": 0,
        "total_photo_count": rng.randint(1, 4) if rng.random() < 0.1 else 0,
        "trainer": trainer,
        "commute": family == "ride" and rng.random() < 0.08,
        "manual": manual,
        "private": visibility == "only_me",
        "visibility": visibility,
        "flagged": False,
        "gear_id": gear,
        "average_speed": round(dist / moving, 3) if moving and dist else 0.0,
        "max_speed": round(speed * rng.uniform(1.3, 2.1), 3) if dist else 0.0,
        "average_cadence": cadence,
        "average_watts": watts if family == "ride" else None,
        "weighted_average_watts": int(watts * 1.06) if watts and device_watts else None,
        "kilojoules": kj,
        "device_watts": device_watts,
        "has_heartrate": has_hr,
        "average_heartrate": avg_hr,
        "max_heartrate": round(avg_hr + rng.uniform(14, 34), 1) if avg_hr else None,
        "pr_count": 0,
        "hide_from_home": rng.random() < 0.02,
        "device_name": device,
        "description": rng.choice(DESCRIPTIONS) if rng.random() < 0.25 else None,
        "calories": round(kj * 1.05 if kj else moving / 60 * rng.uniform(6, 11), 1),
        "location_country": p.country,
    }
    base["pr_count"] = min(base["achievement_count"], rng.randint(0, 3))
    act_seed = stable_int(seed, "activity", act_id)
    edits, deleted = schedule_edits(rng, base, sport, p, visible, churn)
    n_kudos = 0
    if visibility != "only_me":
        n_kudos = int(
            p.popularity * rng.uniform(0.2, 1.6) * (0.5 if visibility != "everyone" else 1.0)
        )
    kudos = sorted(visible + 30 + int(rng.expovariate(1 / (4 * 3600))) for _ in range(n_kudos))
    return Activity(
        id=act_id,
        athlete_index=p.index,
        athlete_id=p.id,
        seed=act_seed,
        start=start,
        utc_offset=offset,
        tz_label=tz_label(p.tz_name, standard_offset),
        upload_at=upload,
        visible_at=visible,
        values=pack(base),
        edits=edits,
        deleted_at=deleted,
        kudos_after=array("I", (k - visible for k in kudos)) if kudos else None,
    )
