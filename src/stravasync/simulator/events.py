"""Which webhook event (if any) a ground-truth change produces, and its body.

Strava sends activity create / delete, and update for title, type and privacy only. For an
application without ``activity:read_all`` (``private_as_delete``, per Strava's 2018 docs), an
activity turning private arrives as delete, turning public again as create, and changes to an
activity that is private send nothing.
"""

from __future__ import annotations

from typing import Any

from stravasync.simulator.content.model import Change


def activity_event(
    change: Change,
    *,
    private_before: bool,
    private_after: bool,
    read_all: bool,
    private_as_delete: bool = True,
) -> dict[str, Any] | None:
    """The event body (without subscription_id) for ``change``, or None when nothing is sent."""
    if not change.webhook or change.activity_id is None:
        return None
    aspect: str = change.kind
    updates = dict(change.event_updates)
    if private_as_delete and not read_all:
        if "private" in updates and len(updates) == 1:
            aspect, updates = ("delete" if private_after else "create"), {}
        elif private_before and private_after:
            return None  # the app cannot see this activity at all
        elif change.kind == "create" and private_after:
            return None
    return {
        "aspect_type": aspect,
        "event_time": change.at,
        "object_id": change.activity_id,
        "object_type": "activity",
        "owner_id": change.athlete_id,
        "updates": updates,
    }
