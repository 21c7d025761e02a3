"""Drive one policy through a scenario: ``stravasync`` (our engine) or a baseline."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench import classes, quota_cost
from bench.baselines import (
    BASELINES,
    WEBHOOK_ONLY_SETTINGS,
    Baseline,
    Listing,
    Seed004,
    newest_of,
    not_listed,
)
from bench.fairness import sample_times, steady_state
from bench.harness import (
    CallLog,
    Observer,
    RunRecord,
    Scenario,
    Timeline,
    daily_row,
    make_lab,
    mirror_diff,
    stored_details,
)
from stravasync.lab import Lab
from stravasync.store.mirror import activities as acts
from stravasync.store.mirror.summaries import start_epoch
from stravasync.strava.client import StravaClient
from stravasync.strava.errors import (
    RateLimited,
    StravaError,
    TokenRevoked,
    Unauthorized,
)
from stravasync.strava.quota.ratelimit import Priority
from stravasync.strava.setup import limits_from_settings, token_cipher
from stravasync.strava.tokens import TokenManager

DAY = 86400
ENGINE_POLICIES = ("stravasync", "webhook-only")  # our engine (webhook-only: no safety net)
SCOPE = "read,activity:read_all,profile:read_all"  # STRAVASYNC_OAUTH_SCOPES' default


class YesBudget:
    """The originals have no budget: every request is sent; a 429 is just an error. The last
    rate headers are kept (seed004 paces its enrichment by them)."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}

    def reserve(self, priority: Priority, *, read: bool = True, now: datetime) -> None:
        return None

    def reconcile(
        self, headers: Mapping[str, str], now: datetime, *, sent_at: datetime | None = None
    ) -> None:
        self.headers = dict(headers)

    def on_429(
        self, headers: Mapping[str, str], now: datetime, *, read: bool = True
    ) -> RateLimited:
        return RateLimited(now + timedelta(minutes=15), "read:15min")


class Run:
    """What both drivers share: the lab, the call log, the observer, the day rows."""

    def __init__(self, policy: str, scenario: Scenario, work_dir: Path, db_url: str) -> None:
        self.policy = policy
        self.scenario = scenario
        engine = policy in ENGINE_POLICIES
        self.lab: Lab = make_lab(scenario, work_dir, db_url, webhooks=engine)
        self.log = CallLog(self.lab.clock)
        self.lab.http.event_hooks["response"].append(self.log.hook)
        t0 = int(scenario.start.timestamp())
        self.t0 = t0
        self.measure_from = t0 + int(scenario.warmup_s)
        self.end = self.measure_from + int(scenario.measure_s)
        self.observer = Observer(self.lab, self.measure_from)
        self.timeline = Timeline(self.lab, scenario)
        self.daily: list[dict[str, Any]] = []
        self.next_day = self.measure_from + DAY
        self.active: list[int] = []  # connected, not deauthorized (for the diff)
        self.sample_at = sample_times(self.measure_from, self.end)
        self.samples: list[dict[str, Any]] = []  # the last day's hourly diffs (steady state)

    def now(self) -> int:
        return int(self.lab.clock.now().timestamp())

    def at(self, ts: int) -> datetime:
        return datetime.fromtimestamp(ts, self.lab.clock.now().tzinfo)

    def gone(self, athlete_id: int) -> None:
        if athlete_id in self.active:
            self.active.remove(athlete_id)

    def join(self, athlete_id: int) -> None:
        """The timeline connects an athlete."""
        self.lab.connect(athlete_id, SCOPE)
        self.observer.connected(athlete_id)
        self.active.append(athlete_id)

    def leave(self, athlete_id: int) -> None:
        """The timeline disconnects an athlete."""
        self.gone(athlete_id)
        self.observer.gone.add(athlete_id)
        self.observer.book.drop_athlete(athlete_id)

    def step(self, connect: Callable[[int], None] | None = None) -> None:
        """One step of an engine-driven run: the world to its next target, the timeline's
        connects (``connect``, default :meth:`join`) and leaves, the engine when it has work,
        then the day rows."""
        engine = self.lab.engine
        self.lab.sim.advance_to(self.targets(engine.next_wakeup()))
        acted = self.timeline.due(connect or self.join, self.leave)
        wake = engine.next_wakeup()
        if acted or (wake is not None and wake <= self.lab.clock.now()):
            engine.run_until_idle()
            self.observer.poll()
        self.day_rows()

    def day_rows(self) -> None:
        while self.now() >= self.next_day and self.next_day <= self.end:
            day_start = self.next_day - DAY
            row = daily_row(self.log.rows, day_start, self.next_day)
            diff = mirror_diff(self.lab, self.active)
            row.update(
                day=len(self.daily) + 1,
                missing=diff.missing,
                zombies=diff.zombies,
                stale=diff.stale,
                stale_social=diff.stale_social,
                stale_detail=diff.stale_detail,
                stale_detail_social=diff.stale_detail_social,
            )
            self.daily.append(row)
            self.next_day += DAY
        while self.sample_at and self.now() >= self.sample_at[0]:
            at = self.sample_at.pop(0)
            diff = mirror_diff(self.lab, self.active)
            self.samples.append(
                {"at": at, "missing": diff.missing, "zombies": diff.zombies,
                 "stale": diff.stale, "stale_detail": diff.stale_detail}
            )  # fmt: skip

    def targets(self, *more: datetime | None) -> datetime:
        now = self.now()
        cands = [now + int(self.scenario.step_s), self.end, self.next_day, *self.sample_at[:1]]
        for t in (*more, self.timeline.next_event()):
            if t is not None:
                ts = int(t.timestamp()) + (1 if t.timestamp() % 1 else 0)
                if ts > now:
                    cands.append(ts)
        return self.at(min(c for c in cands if c > now))

    def record(self, wall: float, **extra: Any) -> RunRecord:
        self.observer.poll()
        diff = mirror_diff(self.lab, self.active)
        self.lab.close()
        resolved = self.observer.book.close()
        extra = {"steady_state": steady_state(self.samples), **extra}
        if self.policy in ENGINE_POLICIES:  # for the safety net's comparison
            extra["changes"] = [[r.at, r.kind, r.activity_id, r.seen is not None] for r in resolved]
            extra["silent_changes"] = sorted([a, b] for a, b in self.observer.silent)
        return RunRecord(
            policy=self.policy,
            start=self.t0,
            measure_from=self.measure_from,
            end=self.end,
            calls=self.log.rows,
            resolved=resolved,
            diff=diff,
            daily=self.daily,
            athletes=len(self.scenario.connects),
            wall_s=wall,
            extra=extra,
        )


def run_stravasync(
    scenario: Scenario, work_dir: Path, db_url: str, policy: str = "stravasync"
) -> RunRecord:
    wall = time.perf_counter()
    run = Run(policy, scenario, work_dir, db_url)
    lab = run.lab
    spent = classes.install(lab)
    while run.now() < run.end:
        run.step()
    read_daily = limits_from_settings(lab.settings).read_daily
    by_class = Counter(c for t, c in spent.rows if t >= run.measure_from)
    return run.record(
        time.perf_counter() - wall,
        api_calls_by_class=dict(sorted(by_class.items())),
        budget_classes=classes.per_day(spent.rows, read_daily),
        daily_reserve_check=quota_cost.reserve_check(spent.rows, read_daily),
        quota_cost=quota_cost.cost(
            run.log.rows,
            athletes=len(scenario.connects),
            measure_from=run.measure_from,
            end=run.end,
        ),
    )


class BaselineDriver:
    def __init__(self, run: Run, policy: Baseline) -> None:
        self.run = run
        self.policy = policy
        lab = run.lab
        cfg = lab.settings
        secret = cfg.client_secret.get_secret_value() if cfg.client_secret else ""
        self.budget = YesBudget()
        self.client = StravaClient(
            base_url=cfg.strava_base_url,
            client_id=cfg.client_id or "",
            client_secret=secret,
            budget=self.budget,
            clock=lab.clock,
            http=lab.http,
            timeout=cfg.http_timeout,
            max_retries=cfg.http_max_retries,
        )
        self.tokens = TokenManager(
            db=lab.db, client=self.client, cipher=token_cipher(cfg, lab.db), clock=lab.clock
        )
        self.athletes: list[int] = []  # what the baseline believes is connected
        self.failures = 0
        self.rate_limited_syncs = 0

    def connect(self, athlete_id: int) -> None:
        lab = self.run.lab
        code = lab.sim.grant(athlete_id, SCOPE)
        token = self.client.exchange_code(code)
        self.tokens.store_new(token, lab.clock.now(), scope=SCOPE)
        self.athletes.append(athlete_id)
        self.run.observer.connected(athlete_id)
        self.run.active.append(athlete_id)
        self.sync(self.policy.on_connect(athlete_id))
        self.enrich(athlete_id, backfill=True)
        self.run.observer.poll()

    def enrich(self, athlete_id: int, *, backfill: bool) -> None:
        """seed004's detail fetches after its listing, paced by Strava's headers."""
        policy = self.policy
        if not isinstance(policy, Seed004):
            return
        lab = self.run.lab
        with lab.db.engine.connect() as conn:
            summaries = acts.live_summaries(conn, athlete_id)
            have = set(stored_details(conn, athlete_id))
        starts = {a: t for a, s in summaries.items() if (t := start_epoch(s)) is not None}
        pacing = policy.backfill_pacing if backfill else policy.daily_pacing
        made = 0
        for act_id in policy.enrich_ids(starts, have, self.run.now(), backfill=backfill):
            if not pacing.allows(self.budget.headers, made):
                break
            made += 1
            try:
                token = self.tokens.access_token(athlete_id, priority=Priority.ENRICH)
                detail = self.client.get_activity(token, act_id, priority=Priority.ENRICH)
            except (RateLimited, TokenRevoked) as exc:
                self.rate_limited_syncs += isinstance(exc, RateLimited)
                return
            except StravaError:
                self.failures += 1
                continue
            with lab.db.transaction() as conn:
                acts.store_detail(conn, act_id, detail.raw, lab.clock.now())

    def gone(self, athlete_id: int) -> None:
        self.run.gone(athlete_id)
        self.run.observer.gone.add(athlete_id)
        self.run.observer.book.drop_athlete(athlete_id)

    def sync(self, listing: Listing) -> bool:
        """One athlete's listing; False when a 429 stopped it."""
        lab = self.run.lab
        started = self.run.now()
        newest: int | None = None
        listed: set[int] = set()
        try:
            token = self.tokens.access_token(listing.athlete_id, priority=Priority.INCREMENTAL)
            page = 1
            while True:
                try:
                    got = self.client.list_activities(
                        token,
                        after=listing.after,
                        page=page,
                        per_page=listing.per_page,
                        priority=Priority.INCREMENTAL,
                    )
                except Unauthorized:
                    token = self.tokens.handle_unauthorized(listing.athlete_id, token)
                    continue
                raws = [a.raw for a in got.activities]
                listed.update(int(r["id"]) for r in raws)
                with lab.db.transaction() as conn:
                    acts.apply_summaries(conn, listing.athlete_id, raws, lab.clock.now())
                top = newest_of(raws)
                if top is not None:
                    newest = max(newest or top, top)
                if len(raws) < listing.per_page:
                    break
                page += 1
            if listing.prune:
                with lab.db.transaction() as conn:
                    stored = set(acts.live_summaries(conn, listing.athlete_id))
                    acts.tombstone(conn, not_listed(stored, listed), lab.clock.now())
        except RateLimited:
            self.rate_limited_syncs += 1
            return False
        except TokenRevoked:
            if listing.athlete_id in self.athletes:
                self.athletes.remove(listing.athlete_id)
            return True
        except StravaError:
            self.failures += 1
            return True
        self.policy.synced(listing.athlete_id, started, newest)
        return True

    def run_once(self) -> None:
        listings = self.policy.choose(list(self.athletes), self.run.now())
        for i, listing in enumerate(listings):
            ok = self.sync(listing)
            if ok:
                self.enrich(listing.athlete_id, backfill=False)
            self.run.observer.poll(listing.athlete_id)
            if not ok and self.policy.stop_on_429:
                break
            pause = self.policy.pause_after(i)
            if pause and i < len(listings) - 1:
                self.run.lab.clock.sleep(pause)


def run_baseline(name: str, scenario: Scenario, work_dir: Path, db_url: str) -> RunRecord:
    wall = time.perf_counter()
    run = Run(name, scenario, work_dir, db_url)
    driver = BaselineDriver(run, BASELINES[name]())
    lab = run.lab
    due = driver.policy.next_run(lab.clock.now())
    while run.now() < run.end:
        lab.sim.advance_to(run.targets(due))
        run.timeline.due(driver.connect, driver.gone)
        if lab.clock.now() >= due:
            driver.run_once()
            due = driver.policy.next_run(lab.clock.now())
        run.day_rows()
    return run.record(
        time.perf_counter() - wall,
        failed_syncs=driver.failures,
        syncs_stopped_by_429=driver.rate_limited_syncs,
    )


def run_policy(name: str, scenario: Scenario, work_dir: Path, db_url: str) -> RunRecord:
    logging.getLogger("stravasync").setLevel(logging.CRITICAL)
    if name == "webhook-only":
        settings = {**scenario.settings, **WEBHOOK_ONLY_SETTINGS}
        return run_stravasync(replace(scenario, settings=settings), work_dir, db_url, name)
    if name == "stravasync":
        return run_stravasync(scenario, work_dir, db_url)
    return run_baseline(name, scenario, work_dir, db_url)
