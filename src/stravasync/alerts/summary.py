"""The health summary line the service logs every ``STRAVASYNC_HEALTH_SUMMARY_SECONDS``
(seed 000's hourly health job): one line an operator can grep, no athlete id, no secret. Pure."""

from __future__ import annotations

from stravasync.alerts.rules import Facts


def summary_line(facts: Facts, *, athletes: dict[str, int], synced_24h: int) -> str:
    """E.g. ``health: app ok; athletes 3 active, 1 deauthorized; synced in 24 h 3; dead
    letters 0; webhook ok; stale 0 (7+ days); disk 5120 MB free``."""
    people = ", ".join(f"{n} {status}" for status, n in sorted(athletes.items())) or "none"
    disk = f"{facts.disk_free_mb:.0f} MB free" if facts.disk_free_mb is not None else "unknown"
    return (
        f"health: app {'SUSPENDED (' + facts.app_suspended + ')' if facts.app_suspended else 'ok'}"
        f"; athletes {people}; synced in 24 h {synced_24h}; dead letters {facts.dead_letters}"
        f"; webhook {facts.webhook_problem or 'ok'}"
        f"; stale {facts.stale_athletes} ({facts.stale_days:g}+ days); disk {disk}"
    )
