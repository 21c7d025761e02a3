"""A virtual-time lab: the simulator, the engine and the webhook receiver in one process.

Used by ``make demo``, the engine's end-to-end tests and the benchmarks. Time only moves when
:meth:`Lab.advance` is called; the simulator delivers its webhook events over an in-process
HTTP transport to the real receiver (``stravasync.web``), which commits them to the inbox; the
engine then runs in burst mode until nothing is due. Everything is deterministic for a seed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from stravasync.clock import VirtualClock
from stravasync.config import Settings, load_settings
from stravasync.simulator import SimConfig, Simulator
from stravasync.simulator.transport import in_process_client
from stravasync.store import Database
from stravasync.store.mirror import activities as acts
from stravasync.store.people import athletes as athletes_q
from stravasync.sync import Engine, RunReport

DEFAULT_SCOPE = "read,activity:read_all"
RECEIVER = "http://stravasync.test"


@dataclass(slots=True)
class AthleteDiff:
    athlete_id: int
    missing: list[int] = field(default_factory=list)
    zombies: list[int] = field(default_factory=list)
    stale: dict[int, list[str]] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return not (self.missing or self.zombies or self.stale)


def diff_athlete(
    athlete_id: int, truth: Iterable[dict[str, Any]], mirror: dict[int, dict[str, Any]]
) -> AthleteDiff:
    """Compare what a perfect mirror holds with ours, field by field."""
    out = AthleteDiff(athlete_id)
    truth_by_id = {int(t["id"]): t for t in truth}
    out.missing = sorted(set(truth_by_id) - set(mirror))
    out.zombies = sorted(set(mirror) - set(truth_by_id))
    for act_id in set(truth_by_id) & set(mirror):
        mine = mirror[act_id]
        fields = sorted(k for k, v in truth_by_id[act_id].items() if mine.get(k) != v)
        if fields:
            out.stale[act_id] = fields
    return out


class Lab:
    def __init__(
        self,
        *,
        db_url: str,
        sim_config: SimConfig,
        start: datetime,
        work_dir: Path,
        webhooks: bool = True,
        scope: str = DEFAULT_SCOPE,
        seed: int = 0,
        overrides: dict[str, Any] | None = None,
        base_url: str | None = None,
    ) -> None:
        """``base_url``: where this lab's simulator is served over a real socket (the caller
        serves ``lab.sim.app`` there, e.g. with uvicorn); by default it runs in-process."""
        self.clock = VirtualClock(start)
        self.sim = Simulator(sim_config, clock=self.clock)
        self.http = (
            httpx.Client(base_url=base_url, timeout=30) if base_url else self.sim.http_client()
        )
        self.scope = scope
        self.verify_token = secrets.token_urlsafe(16)
        quota = sim_config.quota if isinstance(sim_config.quota, str) else "explicit"
        settings: dict[str, Any] = {
            "database_url": db_url,
            "client_id": self.sim.client_id,
            "client_secret": self.sim.client_secret,
            **self.sim.strava_settings(str(self.http.base_url).rstrip("/")),
            "secret_key": Fernet.generate_key().decode(),
            "key_file": work_dir / "secret.key",
            "webhook_verify_token": self.verify_token,
            "sync_webhooks": "on" if webhooks else "off",
            # operator jobs wake the engine on their own clock: off in virtual time unless asked
            "health_summary_seconds": 0,
            "copies_prune_seconds": 0,
            # a read per activity more: tests and benchmarks opt in (the default is auto)
            "sync_enrich_streams": "off",
            "rate_tier": quota
            if quota in ("default", "standard", "extended", "unlimited")
            else "default",
        }
        settings.update(overrides or {})
        self.settings: Settings = load_settings(**settings)
        self.db = Database.open(db_url)
        from stravasync.sync import build_engine

        self.engine: Engine = build_engine(
            self.settings, self.db, self.clock, http=self.http, seed=seed
        )
        self.connected: set[int] = set()
        self.webhooks = webhooks
        if webhooks:
            self._subscribe()

    def _subscribe(self) -> None:
        from stravasync.store.operator import admin as admin_q
        from stravasync.sync import WEBHOOK_SUBSCRIPTION_KEY
        from stravasync.web.app import create_app

        self.web_app = create_app(self.settings, self.db, clock=self.clock)
        self.sim.set_webhook_transport(in_process_client(self.web_app, RECEIVER))
        sub_id = self.engine.port.client.create_push_subscription(
            f"{RECEIVER}/webhooks/strava", self.verify_token
        )
        with self.db.transaction() as conn:
            admin_q.put_setting(conn, WEBHOOK_SUBSCRIPTION_KEY, sub_id, now=self.clock.now())

    # --- athletes ------------------------------------------------------------------------
    def connect(self, athlete_id: int, scope: str | None = None) -> None:
        """The athlete approves our app: code, exchange, tokens stored, backfill queued."""
        grant = scope or self.scope
        code = self.sim.grant(athlete_id, grant)
        token = self.engine.port.client.exchange_code(code)
        self.engine.tokens.store_new(token, self.clock.now(), scope=grant)  # type: ignore[attr-defined]
        self.connected.add(athlete_id)

    def connect_due(self) -> list[int]:
        """Connect every athlete whose simulated connection time has come."""
        now = self.clock.now()
        due = [
            a
            for a in self.sim.athlete_ids()
            if a not in self.connected and self.sim.connect_at(a) <= now
        ]
        for athlete_id in due:
            self.connect(athlete_id)
        return due

    # --- time ----------------------------------------------------------------------------
    def run_until_idle(self) -> RunReport:
        return self.engine.run_until_idle()

    def advance(self, seconds: float, *, step: float = 60.0, on_step: Any = None) -> RunReport:
        """Move time in steps: the world changes, webhooks arrive, the engine catches up."""
        total = RunReport()
        end = self.clock.now() + timedelta(seconds=seconds)
        while self.clock.now() < end:
            wake = self.engine.next_wakeup()
            target = self.clock.now() + timedelta(seconds=step)
            if wake is not None and self.clock.now() < wake < target:
                target = wake
            self.sim.advance_to(min(target, end))
            new = self.connect_due()
            wake = self.engine.next_wakeup()
            if new or (wake is not None and wake <= self.clock.now()):
                report = self.engine.run_until_idle()
                _merge(total, report)
                if on_step is not None:
                    on_step(self, report)
        return total

    # --- truth ---------------------------------------------------------------------------
    def diff(self, athlete_ids: Iterable[int] | None = None) -> list[AthleteDiff]:
        ids = list(athlete_ids) if athlete_ids is not None else sorted(self.connected)
        out: list[AthleteDiff] = []
        with self.db.engine.connect() as conn:
            for athlete_id in ids:
                row = athletes_q.get_athlete(conn, athlete_id)
                if row is None or row["status"] != "active":
                    continue
                truth = self.sim.truth(athlete_id, self.scope_of(row))
                out.append(diff_athlete(athlete_id, truth, acts.live_summaries(conn, athlete_id)))
        return out

    def scope_of(self, athlete_row: dict[str, Any]) -> str:
        """The activity scope the athlete granted (what a perfect mirror may hold)."""
        granted = str(athlete_row["scopes"]).split(",")
        for scope in ("activity:read_all", "activity:read"):
            if scope in granted:
                return scope
        return "read"

    def close(self) -> None:
        self.db.close()


def _merge(total: RunReport, part: RunReport) -> None:
    for name in (
        "synced",
        "failed",
        "skipped",
        "deferred",
        "cancelled",
        "events",
        "jobs",
        "api_calls",
    ):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.sessions.extend(part.sessions[-5:])
