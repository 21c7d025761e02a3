from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from stravasync.sync.events import EventAction, decide
from stravasync.work.retry import DeadLetter, Retry, RetryPolicy, on_failure

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def test_backoff_grows_with_jitter_and_dead_letters() -> None:
    policy = RetryPolicy(max_attempts=4, base_seconds=60, cap_seconds=3600)
    rng = random.Random(1)
    first = on_failure(policy, 0, NOW, rng)
    second = on_failure(policy, 1, NOW, rng)
    assert isinstance(first, Retry) and isinstance(second, Retry)
    assert NOW + timedelta(seconds=30) <= first.at <= NOW + timedelta(seconds=60)
    assert NOW + timedelta(seconds=60) <= second.at <= NOW + timedelta(seconds=120)
    assert first.attempts == 1 and second.attempts == 2
    assert isinstance(on_failure(policy, 3, NOW, rng), DeadLetter)


def ev(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "object_type": "activity",
        "aspect_type": "create",
        "updates_json": {},
        "object_id": 5,
        "owner_id": 1,
    }
    base.update(kw)
    return base


def test_event_decisions() -> None:
    assert decide(ev(), stored=False).action is EventAction.FETCH
    assert decide(ev(aspect_type="delete"), stored=True).action is EventAction.TOMBSTONE
    title = decide(ev(aspect_type="update", updates_json={"title": "Messy"}), stored=True)
    assert title.action is EventAction.APPLY_FIELDS and title.fields == {"name": "Messy"}
    # a title update for an activity we do not hold must fetch it
    assert (
        decide(ev(aspect_type="update", updates_json={"title": "x"}), stored=False).action
        is EventAction.FETCH
    )
    assert (
        decide(ev(aspect_type="update", updates_json={"type": "Ride"}), stored=True).action
        is EventAction.FETCH
    )
    deauth = ev(object_type="athlete", aspect_type="update", updates_json={"authorized": "false"})
    assert decide(deauth, stored=False).action is EventAction.DEAUTHORIZE
    assert (
        decide(
            ev(object_type="athlete", aspect_type="update", updates_json={}), stored=False
        ).action
        is EventAction.IGNORE
    )
