from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from stravasync.sync.events import EventAction, belongs_to, decide
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


def test_every_event_is_checked_with_strava_never_applied_from_its_fields() -> None:
    assert decide(ev(), held=False) is EventAction.FETCH
    # a delete is confirmed by a GET (404), and costs nothing for an activity not held
    assert decide(ev(aspect_type="delete"), held=True) is EventAction.FETCH
    assert decide(ev(aspect_type="delete"), held=False) is EventAction.IGNORE
    # a title update is fetched too: the title comes from Strava's answer, not the event
    for held in (True, False):
        title = ev(aspect_type="update", updates_json={"title": "Messy"})
        assert decide(title, held=held) is EventAction.FETCH
    deauth = ev(object_type="athlete", aspect_type="update", updates_json={"authorized": "false"})
    assert decide(deauth, held=False) is EventAction.CONFIRM_DEAUTHORIZATION
    for updates in ({}, {"authorized": "true"}, {"title": "x"}):
        athlete = ev(object_type="athlete", aspect_type="update", updates_json=updates)
        assert decide(athlete, held=False) is EventAction.IGNORE


def test_only_an_answer_naming_the_athlete_belongs_to_them() -> None:
    assert belongs_to({"id": 5, "athlete": {"id": 1, "resource_state": 1}}, 1)
    assert not belongs_to({"id": 5, "athlete": {"id": 2}}, 1)
    assert not belongs_to({"id": 5}, 1)
    assert not belongs_to({"id": 5, "athlete": 1}, 1)
