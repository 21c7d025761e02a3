from __future__ import annotations

from datetime import UTC, datetime

from stravasync.simulator.content.model import Change, ChangeKind
from stravasync.simulator.events import activity_event

AT = 1_767_600_000


def change(kind: ChangeKind, updates: dict[str, str], webhook: bool = True) -> Change:
    return Change(datetime.fromtimestamp(AT, UTC), kind, 7, 99, {}, webhook, updates, AT)


def test_event_body_for_a_title_edit() -> None:
    event = activity_event(
        change("update", {"title": "Messy"}),
        private_before=False,
        private_after=False,
        read_all=True,
    )
    assert event == {
        "aspect_type": "update",
        "event_time": AT,
        "object_id": 99,
        "object_type": "activity",
        "owner_id": 7,
        "updates": {"title": "Messy"},
    }


def test_silent_edits_send_nothing() -> None:
    assert (
        activity_event(
            change("update", {}, webhook=False),
            private_before=False,
            private_after=False,
            read_all=True,
        )
        is None
    )


def test_privacy_changes_without_read_all_arrive_as_delete_and_create() -> None:
    hide = activity_event(
        change("update", {"private": "true"}),
        private_before=False,
        private_after=True,
        read_all=False,
    )
    show = activity_event(
        change("update", {"private": "false"}),
        private_before=True,
        private_after=False,
        read_all=False,
    )
    assert hide is not None and (hide["aspect_type"], hide["updates"]) == ("delete", {})
    assert show is not None and (show["aspect_type"], show["updates"]) == ("create", {})
    unseen = activity_event(
        change("update", {"title": "x"}), private_before=True, private_after=True, read_all=False
    )
    assert unseen is None
    assert (
        activity_event(
            change("create", {}), private_before=True, private_after=True, read_all=False
        )
        is None
    )


def test_with_read_all_or_the_switch_off_privacy_is_a_plain_update() -> None:
    for read_all, switch in ((True, True), (False, False)):
        event = activity_event(
            change("update", {"private": "true"}),
            private_before=False,
            private_after=True,
            read_all=read_all,
            private_as_delete=switch,
        )
        assert event is not None and event["updates"] == {"private": "true"}
        assert event["aspect_type"] == "update"
