"""The simulated world: athletes materialized lazily, their activities as a function of time.

Nothing is generated until an athlete is asked for; then their history is generated week by week
from (seed, athlete, week) up to the asked time, and further weeks as time moves on. Memory grows
with the athletes touched, never with the world's size.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from stravasync.clock import from_epoch
from stravasync.simulator.config import SimConfig
from stravasync.simulator.content.edits import EDITABLE
from stravasync.simulator.content.generate import WEEK, block_of, generate_block
from stravasync.simulator.content.model import (
    Activity,
    AthleteProfile,
    Change,
    ChangeKind,
    Edit,
    athlete_id_of,
    index_of,
)
from stravasync.simulator.content.people import make_profile
from stravasync.simulator.errors import UnknownAthlete

NOTHING: dict[str, str] = {}  # shared, never mutated (to_change copies)
RawChange = tuple[int, ChangeKind, int | None, dict[str, Any], dict[str, str] | None]


@dataclass
class AthleteState:
    """What has been generated for one athlete so far."""

    profile: AthleteProfile
    history_start: int
    next_block: int
    activities: list[Activity] = field(default_factory=list)  # sorted by start
    starts: list[int] = field(default_factory=list)
    by_id: dict[int, Activity] = field(default_factory=dict)
    changes: list[RawChange] = field(default_factory=list)  # sorted by time
    change_times: list[int] = field(default_factory=list)  # the times of ``changes``
    used_ids: set[int] = field(default_factory=set)


class World:
    """Deterministic per ``config.seed`` and ``start`` (epoch seconds). Thread-safe."""

    def __init__(self, config: SimConfig, start: int) -> None:
        self.config = config
        self.start = start
        self._states: dict[int, AthleteState] = {}
        self._profiles: dict[int, AthleteProfile] = {}
        self._lock = threading.RLock()

    # --- athletes --------------------------------------------------------------------------
    def athlete_ids(self) -> list[int]:
        return [athlete_id_of(i) for i in range(1, self.config.athletes + 1)]

    def exists(self, athlete_id: int) -> bool:
        return 1 <= index_of(athlete_id) <= self.config.athletes

    def profile(self, athlete_id: int, *, keep: bool = True) -> AthleteProfile:
        """The athlete's profile; ``keep=False`` does not cache it (for bulk listings)."""
        if not self.exists(athlete_id):
            raise UnknownAthlete(athlete_id)
        index = index_of(athlete_id)
        with self._lock:
            found = self._profiles.get(index)
            if found is None:
                c = self.config
                found = make_profile(
                    c.seed,
                    index,
                    start=self.start,
                    history_days=c.history_days,
                    heavy_fraction=c.heavy_fraction,
                    heavy_history_days=c.heavy_history_days,
                    late_connect_fraction=c.late_connect_fraction,
                    late_connect_days=c.late_connect_days,
                    deauth_per_year=c.deauth_per_year,
                )
                if keep:
                    self._profiles[index] = found
            return found

    def touched(self) -> list[int]:
        """Ids of the athletes whose activities have been generated."""
        with self._lock:
            return sorted(athlete_id_of(i) for i in self._states)

    def state(self, athlete_id: int, now: int) -> AthleteState:
        """The athlete's generated state, extended so every activity started by ``now`` exists."""
        profile = self.profile(athlete_id)
        with self._lock:
            st = self._states.get(profile.index)
            if st is None:
                history_start = self.start - profile.history_days * 86400
                st = AthleteState(profile, history_start, block_of(history_start))
                self._states[profile.index] = st
            target = block_of(max(now, self.start))
            if st.next_block <= target:
                self._extend(st, target)
            return st

    def _extend(self, st: AthleteState, target: int) -> None:
        fresh: list[Activity] = []
        for block in range(st.next_block, target + 1):
            for act in generate_block(
                self.config.seed, st.profile, block, st.used_ids, self.config.churn
            ):
                if act.start >= st.history_start:
                    fresh.append(act)
        st.next_block = target + 1
        if not fresh:
            return
        st.activities.extend(fresh)
        st.activities.sort(key=lambda a: (a.start, a.id))
        st.starts = [a.start for a in st.activities]
        for act in fresh:
            st.by_id[act.id] = act
            st.changes.append((act.visible_at, "create", act.id, NOTHING, NOTHING))
            for edit in act.edits:
                st.changes.append((edit.at, "update", act.id, edit.fields, edit.event))
            if act.deleted_at is not None:
                st.changes.append((act.deleted_at, "delete", act.id, NOTHING, NOTHING))
        _sort_changes(st)

    def record_deauth(self, athlete_id: int, at: int) -> None:
        with self._lock:
            st = self.state(athlete_id, at)
            st.changes.append((at, "deauth", None, {"authorized": False}, {"authorized": "false"}))
            _sort_changes(st)

    def delete_activity(self, activity_id: int, at: int) -> bool:
        """The athlete deletes a visible activity at ``at`` (replacing any later deletion the
        world had scheduled); False when there is no such activity visible then."""
        act = self.activity(activity_id, at)
        if act is None:
            return False
        with self._lock:
            st = self._states[act.athlete_index]
            st.changes = [c for c in st.changes if not (c[1] == "delete" and c[2] == act.id)]
            act.deleted_at = at
            st.changes.append((at, "delete", act.id, NOTHING, NOTHING))
            _sort_changes(st)
        return True

    def edit_activity(
        self, activity_id: int, at: int, fields: dict[str, Any], event: dict[str, str] | None
    ) -> bool:
        """The athlete edits a visible activity at ``at`` (after its scheduled edits until
        then); False when there is no such activity visible then. Unknown fields: ValueError."""
        unknown = set(fields) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        act = self.activity(activity_id, at)
        if act is None:
            return False
        with self._lock:
            st = self._states[act.athlete_index]
            act.edits = tuple(sorted((*act.edits, Edit(at, dict(fields), event)), key=_edit_at))
            act.summary_cache = None
            st.changes.append((at, "update", act.id, dict(fields), event))
            _sort_changes(st)
        return True

    # --- activities --------------------------------------------------------------------------
    def activity(self, activity_id: int, now: int) -> Activity | None:
        """The activity with this id if it exists and is visible at ``now``."""
        athlete_id = athlete_id_of(activity_id % 100_000)
        if not self.exists(athlete_id):
            return None
        act = self.state(athlete_id, now).by_id.get(activity_id)
        if act is None or not act.visible(now):
            return None
        return act

    def known_activity(self, activity_id: int | None) -> Activity | None:
        """An already generated activity, visible or not (None for unknown ids)."""
        if activity_id is None:
            return None
        with self._lock:
            st = self._states.get(activity_id % 100_000)
            return None if st is None else st.by_id.get(activity_id)

    def visible(
        self, athlete_id: int, now: int, *, after: int | None = None, before: int | None = None
    ) -> list[Activity]:
        """Visible activities with ``after < start < before``, oldest first."""
        st = self.state(athlete_id, now)
        with self._lock:
            lo = 0 if after is None else bisect_right(st.starts, after)
            hi = len(st.starts) if before is None else bisect_left(st.starts, before)
            return [a for a in st.activities[lo:hi] if a.visible(now)]

    # --- changes -----------------------------------------------------------------------------
    def raw_changes(self, athlete_id: int, since: int | None, until: int) -> list[RawChange]:
        """Changes with ``since < at <= until`` (all up to ``until`` when since is None)."""
        st = self.state(athlete_id, until)
        with self._lock:
            times = st.change_times
            lo = 0 if since is None else bisect_right(times, since)
            hi = bisect_right(times, until)
            return st.changes[lo:hi]

    def next_change_after(self, athlete_id: int, when: int) -> int:
        """A lower bound of the athlete's next change after ``when`` (exact when generated)."""
        st = self.state(athlete_id, when)
        with self._lock:
            i = bisect_right(st.change_times, when)
            horizon = st.next_block * WEEK
            return min(st.change_times[i], horizon) if i < len(st.change_times) else horizon

    def changes(self, athlete_id: int, since: int | None, until: int) -> list[Change]:
        return [to_change(athlete_id, raw) for raw in self.raw_changes(athlete_id, since, until)]


def _edit_at(edit: Edit) -> int:
    return edit.at


def _sort_changes(st: AthleteState) -> None:
    st.changes.sort(key=lambda c: (c[0], c[2] or 0))
    st.change_times = [c[0] for c in st.changes]


def to_change(athlete_id: int, raw: RawChange) -> Change:
    at, kind, activity_id, fields, event = raw
    return Change(
        visible_at=from_epoch(at),
        kind=kind,
        athlete_id=athlete_id,
        activity_id=activity_id,
        fields=dict(fields),
        webhook=event is not None,
        event_updates=dict(event or {}),
        at=at,
    )
