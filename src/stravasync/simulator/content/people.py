"""Generating athlete profiles from (seed, index): names, places, habits, gear."""

from __future__ import annotations

import math
import unicodedata

from stravasync.simulator.content.model import AthleteProfile, Gear, athlete_id_of
from stravasync.simulator.content.rng import stable_rng
from stravasync.simulator.content.sports import MIXES

CITIES: list[tuple[str, str, str, str, float, float]] = [
    ("Paris", "Île-de-France", "France", "Europe/Paris", 48.8566, 2.3522),
    ("Lyon", "Auvergne-Rhône-Alpes", "France", "Europe/Paris", 45.764, 4.8357),
    ("London", "England", "United Kingdom", "Europe/London", 51.5072, -0.1276),
    ("Girona", "Catalonia", "Spain", "Europe/Madrid", 41.9794, 2.8214),
    ("Boulder", "CO", "United States", "America/Denver", 40.015, -105.2705),
    ("San Francisco", "CA", "United States", "America/Los_Angeles", 37.7749, -122.4194),
    ("New York", "NY", "United States", "America/New_York", 40.7128, -74.006),
    ("Berlin", "Berlin", "Germany", "Europe/Berlin", 52.52, 13.405),
    ("Amsterdam", "North Holland", "Netherlands", "Europe/Amsterdam", 52.3676, 4.9041),
    ("Sydney", "NSW", "Australia", "Australia/Sydney", -33.8688, 151.2093),
    ("Tokyo", "Tokyo", "Japan", "Asia/Tokyo", 35.6762, 139.6503),
    ("São Paulo", "SP", "Brazil", "America/Sao_Paulo", -23.5505, -46.6333),
    ("Cape Town", "Western Cape", "South Africa", "Africa/Johannesburg", -33.9249, 18.4241),
    ("Mumbai", "Maharashtra", "India", "Asia/Kolkata", 19.076, 72.8777),
    ("Auckland", "Auckland", "New Zealand", "Pacific/Auckland", -36.8485, 174.7633),
    ("Reykjavík", "", "Iceland", "Atlantic/Reykjavik", 64.1466, -21.9426),
]

FIRST = [
    "Anna",
    "Bruno",
    "Chloé",
    "Diego",
    "Emma",
    "Farid",
    "Greta",
    "Hiro",
    "Inès",
    "Jonas",
    "Kai",
    "Léa",
    "Mateo",
    "Nora",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Zoë",
    "O'Neil",
    "Zoé-Marie",
]
LAST = [
    "Martin",
    "Bernard",
    "Smith",
    "García",
    "Müller",
    "Rossi",
    "Kowalski",
    "Nguyen",
    "Tanaka",
    "Silva",
    "Dubois",
    "Jansen",
    "O'Brien",
    "Nakamura",
    "Andersen",
    "Novak",
]
DEVICES_RIDE = ["Garmin Edge 530", "Garmin Edge 1040", "Wahoo ELEMNT BOLT", "Hammerhead Karoo 2"]
DEVICES_RUN = ["Garmin Forerunner 255", "COROS PACE 3", "Apple Watch Series 9", "Polar Vantage V2"]


def _gear(index: int, prefix: str, names: list[str]) -> tuple[Gear, ...]:
    """The athlete's gear; the first is primary. Of two or more, the last is retired for every
    other athlete (it stays on their older activities; GET /athlete no longer lists it)."""
    return tuple(
        Gear(
            f"{prefix}{index * 10 + i}",
            name,
            i == 0,
            0.0,
            retired=i > 0 and i == len(names) - 1 and index % 2 == 0,
            description=f"{name} #{i + 1}",
        )
        for i, name in enumerate(names)
    )


BIKE_NAMES = ["Canyon Ultimate", "Specialized Tarmac", "Trek Checkpoint", "Giant TCR", "Rocky MTB"]
SHOE_NAMES = ["Nike Pegasus 40", "Hoka Clifton 9", "Saucony Endorphin", "Asics Novablast"]

RATE_CLASSES = [
    ("daily", 0.12, 7.5),
    ("several", 0.45, 3.5),
    ("weekly", 0.28, 1.1),
    ("dormant", 0.15, 0.08),
]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain if ch.isalnum())


def make_profile(
    seed: int,
    index: int,
    *,
    start: int,
    history_days: int,
    heavy_fraction: float,
    heavy_history_days: int,
    late_connect_fraction: float,
    late_connect_days: float,
    deauth_per_year: float,
) -> AthleteProfile:
    """The athlete number ``index`` (1-based) of the world ``seed``."""
    rng = stable_rng(seed, "athlete", index)
    city, state, country, tz_name, lat, lng = rng.choice(CITIES)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if rng.random() < heavy_fraction:
        rate_class, per_week, days = (
            "heavy",
            rng.uniform(14, 20),
            max(history_days, heavy_history_days),
        )
    else:
        pick = rng.random()
        acc = 0.0
        rate_class, per_week = RATE_CLASSES[-1][0], RATE_CLASSES[-1][2]
        for name, weight, rate in RATE_CLASSES:
            acc += weight
            if pick < acc:
                rate_class, per_week = name, rate * rng.uniform(0.7, 1.3)
                break
        days = history_days
    mix = dict(rng.choice(MIXES))
    rides = any(k.endswith("Ride") for k in mix)
    runs = any("Run" in k for k in mix)
    bikes = _gear(
        index, "b", [rng.choice(BIKE_NAMES) for _ in range(rng.randint(1, 3) if rides else 0)]
    )
    shoes = _gear(
        index, "g", [rng.choice(SHOE_NAMES) for _ in range(rng.randint(1, 2) if runs else 0)]
    )
    devices = (rng.choice(DEVICES_RIDE), rng.choice(DEVICES_RUN), "Zwift", "Strava App")
    late = rng.random() < late_connect_fraction
    connect_offset = int(rng.uniform(0, late_connect_days * 86400)) if late else 0
    deauth_offset: int | None = None
    if deauth_per_year > 0:
        wait = rng.expovariate(deauth_per_year / (365 * 86400))
        deauth_offset = connect_offset + max(3600, int(wait))
    followers = int(rng.lognormvariate(math.log(40), 1.0))
    return AthleteProfile(
        index=index,
        id=athlete_id_of(index),
        firstname=first,
        lastname=last,
        username=_ascii(f"{first}{last}{index}".lower()),
        sex=rng.choice("MF"),
        city=city,
        state=state,
        country=country,
        tz_name=tz_name,
        home=(lat + rng.uniform(-0.08, 0.08), lng + rng.uniform(-0.08, 0.08)),
        created_at=start - int(rng.uniform(days + 30, days + 3000) * 86400),
        rate_class=rate_class,
        per_week=per_week,
        mix=mix,
        start_hour=rng.choice([6.5, 7.0, 12.0, 17.5, 18.5, 9.0]),
        has_hr=rng.random() < 0.7,
        has_power=rides and rng.random() < 0.4,
        devices=devices,
        bikes=bikes,
        shoes=shoes,
        private_share=rng.choice([0.0, 0.03, 0.05, 0.1, 0.4]),
        followers_share=rng.choice([0.0, 0.0, 0.1, 0.3]),
        popularity=min(40.0, followers / 8 + rng.uniform(0, 3)),
        follower_count=followers,
        friend_count=int(followers * rng.uniform(0.6, 1.4)),
        premium=rng.random() < 0.3,
        weight=round(rng.uniform(52, 92), 1),
        ftp=int(rng.uniform(180, 320)) if rides and rng.random() < 0.5 else None,
        history_days=days,
        connect_offset=connect_offset,
        deauth_offset=deauth_offset,
    )
