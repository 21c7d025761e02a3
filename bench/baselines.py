"""The strategies users run today (../shared/seeds 001-004), re-implemented on our client/store.

Each baseline is a pure scheduling part (when to run, which athletes, which list window) and a
thin executor (:func:`sync_window`) that lists pages with our :class:`StravaClient` and upserts
them with ``store.activities.apply_summaries``. They ignore our budget (an always-yes budget)
and get no webhooks, like the originals; a 429 is counted and handled as each seed handles it.
None of them detects deletions (the originals only upsert what they list).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAY = 86400
HOUR = 3600
LONDON = ZoneInfo("Europe/London")


@dataclass(slots=True)
class Listing:
    """One athlete's list call sequence: ``after`` (epoch, None = full history), page size,
    and whether to stop after a single page per iteration (seed003 pages one by one)."""

    athlete_id: int
    after: int | None
    per_page: int = 200
    prune: bool = False  # a full listing: remove stored activities it did not list


@dataclass(slots=True)
class AthleteState:
    last_sync: int | None = None  # epoch of the last successful sync's start
    newest_start: int | None = None  # newest stored start time (seed004's watermark)
    recent_activity: int | None = None  # newest start seen (seed002's "active" test)


@dataclass
class Baseline:
    """Base: the schedule, the athletes chosen per run and their windows; pure functions."""

    name: str = "baseline"
    between_athletes_s: float = 0.0
    stop_on_429: bool = False
    per_page: int = 200
    state: dict[int, AthleteState] = field(default_factory=dict)

    def next_run(self, now: datetime) -> datetime:
        raise NotImplementedError

    def choose(self, athletes: list[int], now: int) -> list[Listing]:
        raise NotImplementedError

    def pause_after(self, index: int) -> float:
        """Seconds slept after the ``index``-th athlete of a run (0-based)."""
        return self.between_athletes_s

    def on_connect(self, athlete_id: int) -> Listing:
        """A newly connected athlete gets their whole history once (as every seed does)."""
        self.state.setdefault(athlete_id, AthleteState())
        return Listing(athlete_id, None, self.per_page)

    def synced(self, athlete_id: int, started: int, newest: int | None) -> None:
        st = self.state.setdefault(athlete_id, AthleteState())
        st.last_sync = started
        if newest is not None:
            st.newest_start = max(newest, st.newest_start or newest)
            st.recent_activity = st.newest_start


def _next_every(now: datetime, seconds: int, offset: int = 0) -> datetime:
    """Next instant strictly after ``now`` on a grid of ``seconds`` (UTC epoch + offset)."""
    ts = int(now.timestamp())
    nxt = ((ts - offset) // seconds + 1) * seconds + offset
    return datetime.fromtimestamp(nxt, UTC)


@dataclass
class Seed001(Baseline):
    """Every 6 h (00/06/12/18 UTC): <= 50 athletes ordered by last sync (never first), the last
    7 days, 1 s between athletes, the batch stops on a 429."""

    name: str = "seed001"
    between_athletes_s: float = 1.0
    stop_on_429: bool = True
    per_page: int = 100
    max_athletes: int = 50
    window_days: int = 7

    def next_run(self, now: datetime) -> datetime:
        return _next_every(now, 6 * HOUR)

    def choose(self, athletes: list[int], now: int) -> list[Listing]:
        def key(a: int) -> tuple[int, int, int]:
            last = self.state.get(a, AthleteState()).last_sync
            return (0 if last is None else 1, last or 0, a)

        chosen = sorted(athletes, key=key)[: self.max_athletes]
        return [Listing(a, now - self.window_days * DAY, self.per_page) for a in chosen]


@dataclass
class Seed002(Baseline):
    """Every 30 min, per athlete: skip if synced < 1 h ago; always if >= 6 h; active (activity
    in the last 7 days) if >= 2 h; inactive if >= 4 h. Incremental: after the last sync."""

    name: str = "seed002"

    def next_run(self, now: datetime) -> datetime:
        return _next_every(now, 30 * 60)

    def should_sync(self, athlete_id: int, now: int) -> bool:
        st = self.state.get(athlete_id, AthleteState())
        if st.last_sync is None:
            return True
        age = now - st.last_sync
        if age < HOUR:
            return False
        if age >= 6 * HOUR:
            return True
        active = st.recent_activity is not None and now - st.recent_activity <= 7 * DAY
        return age >= (2 * HOUR if active else 4 * HOUR)

    def choose(self, athletes: list[int], now: int) -> list[Listing]:
        out = []
        for a in athletes:
            if self.should_sync(a, now):
                last = self.state.get(a, AthleteState()).last_sync
                out.append(Listing(a, last, self.per_page))
        return out


@dataclass
class Seed003(Baseline):
    """Weekly (Monday 02:00 UTC), incremental ``after = last_synced_at``, batches of 20,
    500 ms between athletes, 60 s between batches."""

    name: str = "seed003"
    between_athletes_s: float = 0.5
    batch: int = 20
    between_batches_s: float = 60.0

    def next_run(self, now: datetime) -> datetime:
        # 1970-01-01 was a Thursday: Mondays are 4 days after the epoch's week grid
        return _next_every(now, 7 * DAY, offset=4 * DAY + 2 * HOUR)

    def pause_after(self, index: int) -> float:
        pause = self.between_athletes_s
        if (index + 1) % self.batch == 0:
            pause += self.between_batches_s
        return pause

    def choose(self, athletes: list[int], now: int) -> list[Listing]:
        return [
            Listing(a, self.state.get(a, AthleteState()).last_sync, self.per_page) for a in athletes
        ]


@dataclass(frozen=True, slots=True)
class Pacing:
    """seed004's ``enrich`` pacing: stop when fewer than ``cushion_15min`` / ``cushion_daily``
    requests remain in Strava's windows (its rate headers), or after ``max_calls``."""

    cushion_15min: int = 0
    cushion_daily: int = 0
    max_calls: int | None = None

    def allows(self, headers: Mapping[str, str], made: int) -> bool:
        if self.max_calls is not None and made >= self.max_calls:
            return False
        left = remaining(headers)
        return left is None or (left[0] > self.cushion_15min and left[1] > self.cushion_daily)


def remaining(headers: Mapping[str, str]) -> tuple[int, int] | None:
    """Requests left (15 min, day) by the stricter of Strava's overall and read headers."""
    lower = {k.lower(): v for k, v in headers.items()}
    best: tuple[int, int] | None = None
    for prefix in ("x-ratelimit", "x-readratelimit"):
        try:
            limit = [int(x) for x in lower[f"{prefix}-limit"].split(",")]
            usage = [int(x) for x in lower[f"{prefix}-usage"].split(",")]
        except (KeyError, ValueError):
            continue
        if len(limit) != 2 or len(usage) != 2:
            continue
        left = (limit[0] - usage[0], limit[1] - usage[1])
        best = left if best is None else (min(best[0], left[0]), min(best[1], left[1]))
    return best


@dataclass
class Seed004(Baseline):
    """Daily at 05:00 Europe/London (``make flow``): after = newest stored start time - 21
    days (re-lists the lookback window to refresh recent rows), then ``enrich --since-days 21
    --cushion-15min 0 --cushion-daily 0`` (every recent detail fetched again). On connect
    (``make flow-backfill``): the whole history, then ``enrich-all`` paced as its README's tip
    says (``--cushion-15min 5 --cushion-daily 25 --max-calls 800``)."""

    name: str = "seed004"
    lookback_days: int = 21
    enrich_days: int = 21
    daily_pacing: Pacing = field(default_factory=Pacing)
    backfill_pacing: Pacing = field(default_factory=lambda: Pacing(5, 25, 800))

    def enrich_ids(
        self, starts: Mapping[int, int], have: set[int], now: int, *, backfill: bool
    ) -> list[int]:
        """Details to fetch, newest first: all missing ones (backfill), else every activity
        started in the last ``enrich_days`` (refreshed even when a detail is stored)."""
        if backfill:
            ids = [a for a in starts if a not in have]
        else:
            ids = [a for a, t in starts.items() if now - t <= self.enrich_days * DAY]
        return sorted(ids, key=lambda a: (-starts[a], a))

    def next_run(self, now: datetime) -> datetime:
        local = now.astimezone(LONDON)
        candidate = local.replace(hour=5, minute=0, second=0, microsecond=0)
        if candidate <= local:
            candidate = (local + timedelta(days=1)).replace(
                hour=5, minute=0, second=0, microsecond=0
            )
        return candidate.astimezone(UTC)

    def choose(self, athletes: list[int], now: int) -> list[Listing]:
        out = []
        for a in athletes:
            newest = self.state.get(a, AthleteState()).newest_start
            after = None if newest is None else newest - self.lookback_days * DAY
            out.append(Listing(a, after, self.per_page))
        return out


@dataclass
class Seed000(Baseline):
    """Every 15 min (APScheduler interval job ``check_strava_activities``): every connected
    athlete, incremental ``after = last sync``, no pause between athletes."""

    name: str = "seed000"

    def next_run(self, now: datetime) -> datetime:
        return _next_every(now, 15 * 60)

    def choose(self, athletes: list[int], now: int) -> list[Listing]:
        return [
            Listing(a, self.state.get(a, AthleteState()).last_sync, self.per_page) for a in athletes
        ]


@dataclass
class DailyRelist(Baseline):
    """statistics-for-strava style: once a day (03:00 UTC) every athlete's whole history is
    listed again; activities no longer listed are removed (``prunes``), so it sees silent edits
    and deletions, at most a day late, at a cost of 1 request per 200 activities per athlete."""

    name: str = "daily-relist"
    prunes: bool = True
    at_hour: int = 3

    def next_run(self, now: datetime) -> datetime:
        return _next_every(now, DAY, offset=self.at_hour * HOUR)

    def choose(self, athletes: list[int], now: int) -> list[Listing]:
        return [Listing(a, None, self.per_page, prune=self.prunes) for a in athletes]


BASELINES: dict[str, Callable[[], Baseline]] = {
    "seed000": Seed000,
    "seed001": Seed001,
    "seed002": Seed002,
    "seed003": Seed003,
    "seed004": Seed004,
    "daily-relist": DailyRelist,
}

# Conditions each design documents for itself (``quota``: a SimConfig quota; ``single_user``:
# one athlete, the tool's own scale). Everyone else runs the scenario's club at its quota.
CONDITIONS: dict[str, dict[str, Any]] = {
    "seed002": {"quota": "600,30000,600,30000"},  # its document: 600 / 15 min, 30,000 / day
    "seed004": {"single_user": True},  # a personal pipeline: one athlete, its own token
}

# webhook-only: our engine, webhooks and detail fetch on, no safety net (no refresh re-list,
# no reconcile, no second detail fetch after the activity settled)
NEVER_HOURS = 1e6
WEBHOOK_ONLY_SETTINGS: dict[str, Any] = {
    "sync_refresh_active_hours": NEVER_HOURS,
    "sync_refresh_inactive_hours": NEVER_HOURS,
    "sync_reconcile_days": NEVER_HOURS / 24,
    "sync_enrich_settle_hours": 0,
    "sync_refresh_spare_share": 0,
}


def not_listed(stored: set[int], listed: set[int]) -> list[int]:
    """After a full-history listing: the stored ids Strava no longer lists (deleted there)."""
    return sorted(stored - listed)


def newest_of(raws: list[dict[str, Any]]) -> int | None:
    from stravasync.store.mirror.summaries import start_epoch

    starts = [s for s in (start_epoch(r) for r in raws) if s is not None]
    return max(starts) if starts else None


ENGINE_DESCRIPTIONS = {
    "stravasync": "our engine as shipped: webhooks, then the planner's incremental polls, refresh "
    "re-lists, reconcile and enrichment (with a second detail fetch once an activity settled), "
    "all within one shared budget that keeps cushions per class",
    "webhook-only": "our engine with webhooks and detail fetches only: no refresh re-list, no "
    "reconcile, no second detail fetch (the settings of ``WEBHOOK_ONLY_SETTINGS``)",
}


def describe(name: str) -> str:
    """What a policy does, in one paragraph: its schedule as its own document states it."""
    if name in ENGINE_DESCRIPTIONS:
        return ENGINE_DESCRIPTIONS[name]
    doc = BASELINES[name].__doc__ or name
    return " ".join(doc.split())
