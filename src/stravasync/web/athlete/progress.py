"""What the athlete sees of their sync: asked for, running, or idle, and the last pass."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from stravasync.store.pending import sessions as session_q
from stravasync.store.pending import syncstate


class LastPass(BaseModel):
    mode: str
    status: str
    started_at: str | None
    finished_at: str | None
    api_calls: int | None = Field(description="Strava requests the pass spent")


class SyncProgress(BaseModel):
    """``GET /me/sync/status``: what the overview's script shows while a sync is on its way."""

    state: str = Field(description="requested | running | idle | none")
    requested_mode: str | None
    activity_count: int
    last_success_at: str | None
    last_error: str | None
    last_pass: LastPass | None
    text: str = Field(description="the same in one sentence")


def sync_progress(conn: Connection, athlete_id: int, now: datetime) -> dict[str, Any]:
    """JSON-ready: ``state`` (requested | running | idle | none), the requested mode, the
    activity count, and the newest pass (mode, status, times, Strava requests it spent)."""
    state = syncstate.get_state(conn, athlete_id)
    sessions = session_q.recent_sessions(conn, limit=1, athlete_id=athlete_id)
    last = sessions[0] if sessions else None
    if state is None:
        phase = "none"
    elif state.get("lease_owner") and (state.get("lease_expires_at") or now) > now:
        phase = "running"
    elif state.get("requested_mode"):
        phase = "requested"
    else:
        phase = "idle"
    return {
        "state": phase,
        "requested_mode": (state or {}).get("requested_mode"),
        "activity_count": int((state or {}).get("activity_count") or 0),
        "last_success_at": _iso((state or {}).get("last_success_at")),
        "last_error": (state or {}).get("last_error"),
        "last_pass": None
        if last is None
        else {
            "mode": last["mode"],
            "status": last["status"],
            "started_at": _iso(last["started_at"]),
            "finished_at": _iso(last["finished_at"]),
            "api_calls": last["api_calls"],
        },
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def describe(progress: dict[str, Any]) -> str:
    """One sentence for the page (the same words the script writes while polling)."""
    phase = progress["state"]
    if phase == "running":
        return "Syncing now…"
    if phase == "requested":
        return f"Sync asked for ({progress['requested_mode']}): waiting for a worker."
    last = progress.get("last_pass")
    if last is None:
        return "No sync has run yet."
    ended = (last.get("finished_at") or last["started_at"] or "")[:16].replace("T", " ")
    return f"Last sync: {last['mode']}, {last['status']} ({ended} UTC)."
