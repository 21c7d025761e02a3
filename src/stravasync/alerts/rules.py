"""Which operator alerts to send now: a pure function of the facts and what was sent before.

Each alert has a key and is either a **state** (the Strava application suspended: one alert
when it starts, one when it ends, never repeated) or a **condition** (dead letters, the webhook
subscription, the disk, stale connections: one alert when it starts, again at most once per
``Policy.repeat`` while it holds, and one "resolved" when it ends; a condition that gets
worse, e.g. more dead letters, is told at the next repeat; one that comes back within the
period of its last onset alert is not told again, nor is its next end).

``memory`` is what the previous decision returned (a JSON-able dict, stored between runs so a
restart repeats nothing); the caller stores the new memory only for alerts it delivered, so a
failed delivery is tried again at the next check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

STATE_KEYS = frozenset({"app_suspended"})


@dataclass(frozen=True, slots=True)
class Facts:
    """What the checks found (no athlete id, no secret: alerts leave the machine)."""

    now: datetime
    app_suspended: str | None = None  # "condition: Strava's reason" while suspended
    dead_letters: int = 0
    webhook_problem: str | None = None  # why webhook delivery is broken, None when fine
    disk_free_mb: float | None = None  # where the service writes; None: not measured
    stale_athletes: int = 0
    stale_days: float = 7


@dataclass(frozen=True, slots=True)
class Policy:
    repeat: timedelta = timedelta(hours=6)
    disk_min_free_mb: float = 1024.0


@dataclass(frozen=True, slots=True)
class Alert:
    key: str
    title: str
    body: str
    level: str  # info | success | warning | failure (Apprise's notify types)
    active: bool  # False: the condition ended (resumed / resolved)
    detail: str  # what made it fire (compared with the last alert's)


def _active(facts: Facts, policy: Policy) -> dict[str, tuple[str, str, str, str]]:
    """key -> (title, body, level, detail) for every condition that holds now."""
    found: dict[str, tuple[str, str, str, str]] = {}
    if facts.app_suspended:
        found["app_suspended"] = (
            "Strava application suspended",
            f"Strava refuses the application ({facts.app_suspended}); nothing is synced until "
            "it is resumed (stravasync app-state shows the probes).",
            "failure",
            facts.app_suspended,
        )
    if facts.dead_letters > 0:
        found["dead_letters"] = (
            "Dead letters",
            f"{facts.dead_letters} unit(s) of work failed for good (dead letters); see the "
            "dashboard or GET /api/admin/dead-letters, then requeue them once fixed.",
            "warning",
            str(facts.dead_letters),
        )
    if facts.webhook_problem:
        found["webhook"] = (
            "Webhook subscription",
            facts.webhook_problem,
            "warning",
            facts.webhook_problem,
        )
    if facts.disk_free_mb is not None and facts.disk_free_mb < policy.disk_min_free_mb:
        found["disk"] = (
            "Disk nearly full",
            f"{facts.disk_free_mb:.0f} MB free where stravasync writes "
            f"(alert below {policy.disk_min_free_mb:g} MB).",
            "failure",
            "low",
        )
    if facts.stale_athletes > 0:
        found["stale"] = (
            "Stale connections",
            f"{facts.stale_athletes} connected athlete(s) not synced for "
            f"{facts.stale_days:g}+ days (stravasync status lists them).",
            "warning",
            str(facts.stale_athletes),
        )
    return found


def _ended(key: str) -> tuple[str, str]:
    if key == "app_suspended":
        return "Strava application resumed", "Strava accepts the application again."
    names = {
        "dead_letters": "No dead letters left",
        "webhook": "Webhook subscription working again",
        "disk": "Disk space recovered",
        "stale": "No stale connections left",
    }
    return names.get(key, f"{key} resolved"), "The condition no longer holds."


def _stamp(entry: dict[str, Any], name: str) -> datetime | None:
    value = entry.get(name)
    return datetime.fromisoformat(value) if value else None


def _due(key: str, before: dict[str, Any], now: datetime, repeat: timedelta) -> bool:
    """Whether a condition holding now is told now (see the module's rules)."""
    was_active, told = bool(before.get("active")), bool(before.get("told", before.get("active")))
    if key in STATE_KEYS:
        return not was_active
    last = _stamp(before, "sent_at" if was_active and told else "onset_at")
    return last is None or now - last >= repeat


def decide(
    facts: Facts, memory: dict[str, Any], policy: Policy
) -> tuple[list[Alert], dict[str, Any]]:
    """The alerts to send now and the memory to keep once they are sent (pure).

    A condition that ends and starts again within ``policy.repeat`` of its last onset alert
    is not told again (no flapping): it is then remembered as holding but untold, and its end
    is not told either."""
    active = _active(facts, policy)
    alerts: list[Alert] = []
    new_memory: dict[str, Any] = {}
    now = facts.now.isoformat()
    for key in sorted(set(active) | set(memory)):
        before = dict(memory.get(key) or {})
        was_active = bool(before.get("active"))
        told = bool(before.get("told", was_active))
        if key in active:
            title, body, level, detail = active[key]
            if _due(key, before, facts.now, policy.repeat):
                alerts.append(Alert(key, title, body, level, True, detail))
                onset = now if not (was_active and told) else before.get("onset_at", now)
                new_memory[key] = {
                    "active": True,
                    "told": True,
                    "sent_at": now,
                    "onset_at": onset,
                    "detail": detail,
                }
            elif was_active:
                new_memory[key] = before
            else:  # flapping: back within the period of its last onset alert
                new_memory[key] = {**before, "active": True, "told": False, "detail": detail}
        elif was_active:
            if told:
                title, body = _ended(key)
                alerts.append(Alert(key, title, body, "success", False, ""))
            new_memory[key] = {**before, "active": False, "told": False, "sent_at": now}
        else:
            new_memory[key] = before
    return alerts, new_memory


def remember(memory: dict[str, Any], decided: dict[str, Any], failed: set[str]) -> dict[str, Any]:
    """The memory to store: the decision's, except for keys whose alert could not be delivered
    (their old entry stays, so the alert is decided and tried again at the next check)."""
    kept = {k: v for k, v in decided.items() if k not in failed}
    kept.update({k: memory[k] for k in failed if k in memory})
    return kept
