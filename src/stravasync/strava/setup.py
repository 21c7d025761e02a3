"""Build the Strava objects from Settings: budget, client, cipher, token manager.

Thin wiring for CLI commands, the web app and workers, so each builds them the same way.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

import httpx

from stravasync.clock import Clock
from stravasync.config import Settings
from stravasync.errors import ConfigError
from stravasync.store import Database
from stravasync.store.pending import syncstate
from stravasync.store.people import tokens as token_q
from stravasync.strava.appstate import AppGate
from stravasync.strava.client import StravaClient
from stravasync.strava.crypto import TokenCipher, load_cipher, verify_key
from stravasync.strava.errors import SecretKeyError
from stravasync.strava.oauth import ScopePolicy
from stravasync.strava.platform import STRAVA_WWW, OriginPlan, choose_origins
from stravasync.strava.quota.budget import SharedBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, limits_for, policy_from_settings
from stravasync.strava.tokens import TokenManager

RATE_FIELDS = ("overall_15min", "overall_daily", "read_15min", "read_daily")


def limits_from_settings(cfg: Settings) -> Limits:
    overrides = {name: getattr(cfg, f"rate_{name}") for name in RATE_FIELDS}
    if cfg.rate_tier == "explicit":
        missing = [f"STRAVASYNC_RATE_{n.upper()}" for n, v in overrides.items() if v is None]
        if missing:
            raise ConfigError(missing[0], "required with STRAVASYNC_RATE_TIER=explicit")
    return limits_for(cfg.rate_tier, overrides)


def policy_from(cfg: Settings) -> Policy:
    return policy_from_settings(
        cfg.budget_cushions,
        paced_from=cfg.budget_paced_from,
        burst=cfg.budget_burst,
        release=cfg.budget_release,
        guard=cfg.budget_guard,
        daily_release=cfg.budget_daily_release,
        daily_reserve=cfg.budget_daily_reserve,
        reserve_release=cfg.budget_daily_reserve_release,
    )


def shared_budget(cfg: Settings, db: Database) -> SharedBudget:
    tolerance = cfg.clock_skew_tolerance * (cfg.clock_speed or 1.0)  # in the clock's seconds
    return SharedBudget(db, limits_from_settings(cfg), policy_from(cfg), skew_tolerance=tolerance)


def repair_skewed_times(cfg: Settings, db: Database, now: datetime) -> dict[str, list[Any]]:
    """Undo due times and rate windows a process whose clock ran ahead wrote (``reset-stuck``):
    ``{"athletes": [ids], "rate_windows": [counter names]}``. ``now``: the database's clock
    where it has one (PostgreSQL), so a skewed machine running this repairs the same."""
    tolerance = cfg.clock_skew_tolerance * (cfg.clock_speed or 1.0)
    with db.transaction() as conn:
        athletes = syncstate.repair_future(conn, now, tolerance)
    windows = shared_budget(cfg, db).repair(now, tolerance)
    return {"athletes": athletes, "rate_windows": windows}


def origin_plan(cfg: Settings) -> OriginPlan:
    """Where the API and OAuth live for this deployment, by date (docs/strava-platform.md)."""
    return partial(
        choose_origins,
        base_url=cfg.strava_base_url or STRAVA_WWW,
        api_url=cfg.strava_api_url,
        oauth_url=cfg.strava_oauth_url,
    )


def oauth_origin(cfg: Settings) -> str:
    """The origin of Strava's authorize page (STRAVASYNC_STRAVA_OAUTH_URL, else the base, else
    Strava's own)."""
    return cfg.strava_oauth_url or cfg.strava_base_url or STRAVA_WWW


def strava_client(
    cfg: Settings, db: Database, clock: Clock, *, http: httpx.Client | None = None
) -> StravaClient:
    """The client on the shared budget; needs STRAVASYNC_CLIENT_ID and _CLIENT_SECRET."""
    if not cfg.client_id:
        raise ConfigError("STRAVASYNC_CLIENT_ID", "required (your Strava application's id)")
    if cfg.client_secret is None or not cfg.client_secret.get_secret_value():
        raise ConfigError("STRAVASYNC_CLIENT_SECRET", "required (your application's secret)")
    return StravaClient(
        origins=origin_plan(cfg),
        client_id=cfg.client_id,
        client_secret=cfg.client_secret.get_secret_value(),
        budget=shared_budget(cfg, db),
        clock=clock,
        http=http,
        timeout=cfg.http_timeout,
        max_retries=cfg.http_max_retries,
        count_token_requests=cfg.budget_count_token_requests,
        gate=AppGate(db, notify=cfg.notify_url is not None),
    )


def scope_policy(cfg: Settings) -> ScopePolicy:
    """The scopes to ask for and whether private activities are required (CLI and web)."""
    return ScopePolicy.parse(cfg.oauth_scopes, require_private=cfg.require_private_scope)


def token_cipher(cfg: Settings, db: Database) -> TokenCipher:
    """The cipher, checked against what is stored: refuses a key that cannot read the tokens."""
    secret = cfg.secret_key.get_secret_value() if cfg.secret_key is not None else None
    cipher = load_cipher(secret, cfg.key_file)
    with db.engine.connect() as conn:
        verify_key(cipher, token_q.any_ciphertext(conn))
    return cipher


def check_token_key(cfg: Settings, db: Database) -> None:
    """At the start of every process role: raise :class:`SecretKeyError` (one line) when the
    configured key cannot decrypt the tokens already stored, or when tokens are stored and no
    key is configured at all. Creates no key file: with nothing stored, the first connection
    does that, as before."""
    secret = cfg.secret_key.get_secret_value() if cfg.secret_key is not None else None
    with db.engine.connect() as conn:
        sample = token_q.any_ciphertext(conn)
    path = cfg.key_file.expanduser()
    if secret or path.exists():
        verify_key(load_cipher(secret, path), sample)
    elif sample is not None:
        raise SecretKeyError(
            "Strava tokens are stored but no key can read them: STRAVASYNC_SECRET_KEY is unset "
            f"and the key file {path} does not exist. Set the key they were encrypted with "
            "(or STRAVASYNC_KEY_FILE to its file)"
        )


def token_manager(cfg: Settings, db: Database, client: StravaClient, clock: Clock) -> TokenManager:
    return TokenManager(
        db=db,
        client=client,
        cipher=token_cipher(cfg, db),
        clock=clock,
        margin=cfg.token_refresh_margin,
        lock_ttl=cfg.token_lock_ttl,
        notify=cfg.notify_url is not None,
    )
