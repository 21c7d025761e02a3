"""The :class:`Simulator` facade: world, OAuth, rate limits, faults, webhooks and virtual time.

Reads are pure functions of the clock's time; :meth:`Simulator.pump` (called by ``advance`` and
by the CLI's ticker) delivers the webhook events that became due and applies scheduled
deauthorizations.
"""

from __future__ import annotations

import json
import random
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from stravasync.clock import Clock, RealClock, ScaledClock, VirtualClock, as_utc, from_epoch
from stravasync.simulator.config import SimConfig
from stravasync.simulator.content.detail import detailed
from stravasync.simulator.content.model import Change
from stravasync.simulator.content.render import iso, summary_bytes
from stravasync.simulator.content.rng import stable_int
from stravasync.simulator.content.world import World, to_change
from stravasync.simulator.errors import NotVirtualTime, UnknownAthlete
from stravasync.simulator.events import activity_event
from stravasync.simulator.faults import Faults
from stravasync.simulator.http.stats import RequestStats
from stravasync.simulator.oauth import OAuthState, parse_scope
from stravasync.simulator.platform import API_HOST, RequestLog, dispatch_by_host
from stravasync.simulator.ratelimit import RateLimiter
from stravasync.simulator.transport import ASGIApp, InProcessTransport
from stravasync.simulator.webhooks import WebhookHub

if TYPE_CHECKING:
    from fastapi import FastAPI


class Simulator:
    """A faithful, deterministic Strava for tests, benchmarks and demos."""

    def __init__(self, config: SimConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or SimConfig()
        self.clock: Clock = clock or RealClock()
        start = as_utc(self.config.start) if self.config.start else self.clock.now()
        self.start = int(start.timestamp())
        self.client_id = self.config.client_id
        self.client_secret = self.config.secret
        self.world = World(self.config, self.start)
        self.oauth = OAuthState(
            self.config.seed,
            token_ttl=self.config.token_ttl,
            code_ttl=self.config.code_ttl,
            rotate=self.config.rotate_refresh_tokens,
            capacity=self.config.athlete_capacity,
        )
        self.limiter = RateLimiter(self.config.limits)
        self.faults = Faults(rng=random.Random(stable_int(self.config.seed, "faults")))
        self.webhooks = WebhookHub(
            self.config.seed,
            int(self.client_id) if self.client_id.isdigit() else 1,
            attempts=self.config.webhook_attempts,
            timeout=self.config.webhook_timeout,
            validation_timeout=self.config.webhook_validation_timeout,
            loss=self.config.webhook_loss,
        )
        self.requests = RequestStats()
        self.request_log = RequestLog()
        self._pending: list[dict[str, Any]] = []  # deauth events waiting for the next pump
        self._pumped_until = self.start
        self._pump_lock = threading.Lock()
        self._due: dict[int, int] = {}  # athlete -> time of their next change (pump skips)
        self._app: FastAPI | None = None
        self._api_app: FastAPI | None = None

    # --- time --------------------------------------------------------------------------------
    def now(self) -> int:
        """The simulated time, epoch seconds."""
        return int(self.clock.now().timestamp())

    def advance(self, seconds: float) -> datetime:
        """Move a VirtualClock forward, then deliver what became due. Returns the new time."""
        if not isinstance(self.clock, VirtualClock):
            raise NotVirtualTime(type(self.clock).__name__)
        when = self.clock.advance(seconds)
        self.pump()
        return when

    def advance_to(self, when: datetime) -> datetime:
        if not isinstance(self.clock, VirtualClock):
            raise NotVirtualTime(type(self.clock).__name__)
        self.clock.set(when)
        self.pump()
        return self.clock.now()

    def clock_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "now": iso(self.now()),
            "epoch": self.now(),
            "world_start": iso(self.start),
            "mode": "virtual" if isinstance(self.clock, VirtualClock) else "real",
        }
        if isinstance(self.clock, ScaledClock):
            info.update(
                mode="scaled",
                origin=self.clock.origin.isoformat(),
                wall_origin=self.clock.wall_origin,
                speed=self.clock.speed,
            )
        return info

    # --- athletes and truth ------------------------------------------------------------------
    def athlete_ids(self) -> list[int]:
        return self.world.athlete_ids()

    def connect_at(self, athlete_id: int) -> datetime:
        """When this athlete "arrives" in benchmarks (most at the start, a few later)."""
        return from_epoch(self.start + self.world.profile(athlete_id).connect_offset)

    def grant(self, athlete_id: int, scope: str = "read,activity:read_all") -> str:
        """An authorization code for ``athlete_id`` (as the authorize redirect would carry)."""
        if not self.world.exists(athlete_id):
            raise UnknownAthlete(athlete_id)
        return self.oauth.issue_code(athlete_id, parse_scope(scope), self.now())

    def truth(self, athlete_id: int, scope: str = "activity:read_all") -> list[dict[str, Any]]:
        """What a perfect mirror holds now: summaries, newest first, filtered by ``scope``."""
        now = self.now()
        scopes = parse_scope(scope)
        if not scopes & {"activity:read", "activity:read_all"}:
            return []
        acts = self.world.visible(athlete_id, now)
        if "activity:read_all" not in scopes:
            acts = [a for a in acts if a.fields_at(now)["visibility"] != "only_me"]
        return [json.loads(summary_bytes(a, now)) for a in reversed(acts)]

    def changes(
        self, since: datetime | None = None, athlete_ids: list[int] | None = None
    ) -> list[Change]:
        """Ground-truth changes visible by now, after ``since``, oldest first.

        Covers ``athlete_ids``, or by default every athlete touched so far (granted, listed...)."""
        now = self.now()
        lo = int(as_utc(since).timestamp()) if since else None
        ids = athlete_ids if athlete_ids is not None else self.world.touched()
        out = [c for a in ids for c in self.world.changes(a, lo, now)]
        out.sort(key=lambda c: (c.at, c.athlete_id, c.activity_id or 0))
        return out

    def truth_detail(self, activity_id: int) -> dict[str, Any] | None:
        """The DetailedActivity a GET would return now (owner's view; ``gear.distance`` left 0:
        it sums the athlete's whole history). None when the activity is not visible."""
        now = self.now()
        act = self.world.activity(activity_id, now)
        if act is None:
            return None
        profile = self.world.profile(act.athlete_id)
        return detailed(act, act.fields_at(now), act.kudos_count(now), profile, False)

    def edit_activity(
        self, activity_id: int, fields: dict[str, Any], event: dict[str, str] | None = None
    ) -> bool:
        """The athlete edits an activity: ``fields`` take effect from the next second, with a
        webhook event carrying ``event`` (None: a silent edit, e.g. a description). Fields must
        be the world's editable ones (:data:`~stravasync.simulator.content.edits.EDITABLE`);
        False if the activity is not visible."""
        at = self.now() + 1
        act = self.world.activity(activity_id, at)
        if act is None or not self.world.edit_activity(activity_id, at, fields, event):
            return False
        with self._pump_lock:
            self._due.pop(act.athlete_id, None)  # its next change is now sooner
        return True

    def delete_activity(self, activity_id: int) -> bool:
        """The athlete deletes an activity: gone from the next second, with its webhook event
        (delivered by the next pump, as for the world's own deletions). False if not visible."""
        at = self.now() + 1
        act = self.world.activity(activity_id, at)
        if act is None or not self.world.delete_activity(activity_id, at):
            return False
        with self._pump_lock:
            self._due.pop(act.athlete_id, None)  # its next change is now sooner
        return True

    # --- authorization -------------------------------------------------------------------------
    def deauthorize_athlete(self, athlete_id: int) -> None:
        """The athlete revokes access on Strava: tokens die, a deauth webhook is sent."""
        self._end_authorization(athlete_id, self.now())
        self.pump()

    def revoke_tokens(self, athlete_id: int) -> None:
        """Tokens die silently (no webhook): the fault "token revocation"."""
        self.oauth.deauthorize(athlete_id)

    def revoke_token(self, token: str) -> None:
        """POST /oauth/revoke: a refresh token ends the authorization (deauth webhook sent)."""
        athlete_id = self.oauth.revoke(token)
        if athlete_id is not None:
            self.world.record_deauth(athlete_id, self.now())
            self._queue_deauth_event(athlete_id, self.now())
            self.pump()

    def _end_authorization(self, athlete_id: int, at: int) -> None:
        if not self.oauth.deauthorize(athlete_id):
            return
        self.world.record_deauth(athlete_id, at)
        self._queue_deauth_event(athlete_id, at)

    def _queue_deauth_event(self, athlete_id: int, at: int) -> None:
        self._pending.append(
            {
                "aspect_type": "update",
                "event_time": at,
                "object_id": athlete_id,
                "object_type": "athlete",
                "owner_id": athlete_id,
                "updates": {"authorized": "false"},
            }
        )

    # --- webhooks -----------------------------------------------------------------------------
    def set_webhook_transport(self, client: httpx.Client | None) -> None:
        """Where validation GETs and event POSTs go (None: real HTTP)."""
        self.webhooks.transport = client

    def start_webhooks_from_now(self) -> None:
        """A new subscription receives only events after its creation."""
        with self._pump_lock:
            self._pumped_until = max(self._pumped_until, self.now())

    def pump(self) -> int:
        """Deliver webhook events due by now; apply scheduled deauths. Returns events sent."""
        now = self.now()
        with self._pump_lock:
            since = self._pumped_until
            if now <= since and not self._pending:
                return 0
            self._pumped_until = max(now, since)
            subscribed = self.webhooks.subscription is not None
            found: list[dict[str, Any]] = []
            for athlete_id, connected_since in self.oauth.connected().items():
                due = self._due.get(athlete_id)
                if due is not None and due > now:
                    continue  # nothing happens to this athlete before ``due``
                offset = self.world.profile(athlete_id).deauth_offset
                deauth_at = None if offset is None else self.start + offset
                if deauth_at is not None and since < deauth_at <= now:
                    self._end_authorization(athlete_id, deauth_at)
                if subscribed:
                    lo = max(since, connected_since)
                    found.extend(self._events(athlete_id, lo, now))
                nxt = self.world.next_change_after(athlete_id, now)
                if deauth_at is not None and deauth_at > now:
                    nxt = min(nxt, deauth_at)
                self._due[athlete_id] = nxt
            events = self._pending + found
            self._pending = []
        events.sort(key=lambda e: (e["event_time"], e["object_id"]))
        self.webhooks.deliver(events)
        return len(events)

    def _events(self, athlete_id: int, since: int, until: int) -> list[dict[str, Any]]:
        read_all = "activity:read_all" in self.oauth.scope_of(athlete_id)
        out = []
        for raw in self.world.raw_changes(athlete_id, since, until):
            change = to_change(athlete_id, raw)
            act = self.world.known_activity(change.activity_id)
            if act is None:
                continue
            event = activity_event(
                change,
                private_before=bool(act.fields_at(change.at - 1)["private"]),
                private_after=bool(act.fields_at(change.at)["private"]),
                read_all=read_all,
                private_as_delete=self.config.private_as_delete,
            )
            if event is not None:
                out.append(event)
        return out

    # --- HTTP ------------------------------------------------------------------------------------
    @property
    def app(self) -> FastAPI:
        if self._app is None:
            from stravasync.simulator.http.app import create_app

            self._app = create_app(self)
        return self._app

    @property
    def api_app(self) -> FastAPI:
        """The API origin's app: on 2026 the main app itself (under /api/v3)."""
        if self.config.platform != "2027":
            return self.app
        if self._api_app is None:
            from stravasync.simulator.http.app import create_api_app

            self._api_app = create_api_app(self)
        return self._api_app

    def http_client(self, base_url: str = "http://sim.test", **kwargs: Any) -> httpx.Client:
        """A synchronous httpx client running the app in-process (no socket). On 2027,
        requests to ``http://api-v3.sim.test`` reach the API origin's app."""
        app: ASGIApp = self.app
        if self.config.platform == "2027":
            app = dispatch_by_host(self.app, self.api_app)
        return httpx.Client(transport=InProcessTransport(app), base_url=base_url, **kwargs)

    def strava_settings(self, base_url: str = "http://sim.test") -> dict[str, str]:
        """stravasync settings that point at this simulator (in-process: ``base_url``)."""
        if self.config.platform == "2027":
            return {
                "strava_base_url": base_url,
                "strava_oauth_url": base_url,
                "strava_api_url": f"http://{API_HOST}",
            }
        return {"strava_base_url": base_url}

    def stats(self) -> dict[str, Any]:
        now = self.now()
        usage = self.limiter.snapshot(now)
        lim = self.limiter.limits
        w = self.webhooks.stats
        return {
            "now": iso(now),
            "requests": self.requests.by_endpoint(),
            "requests_total": self.requests.total,
            "rate_limited": self.requests.rate_limited,
            "usage": {
                "overall_15min": usage.overall_15min,
                "overall_daily": usage.overall_daily,
                "read_15min": usage.read_15min,
                "read_daily": usage.read_daily,
            },
            "limits": {
                "overall_15min": lim.overall_15min,
                "overall_daily": lim.overall_daily,
                "read_15min": lim.read_15min,
                "read_daily": lim.read_daily,
            },
            "webhooks": {
                "subscribed": self.webhooks.subscription is not None,
                "events": w.events,
                "attempted": w.attempted,
                "succeeded": w.succeeded,
                "failed": w.failed,
                "dropped": w.dropped,
            },
            "athletes": {
                "total": self.config.athletes,
                "touched": len(self.world.touched()),
                "connected": len(self.oauth.connected()),
            },
        }
