"""run_authorized: every 401 gets a new token; only a rejected refresh token stops the athlete."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import pytest

from stravasync.clock import VirtualClock
from stravasync.strava.errors import TokenRefused, TokenRevoked, Unauthorized
from stravasync.strava.quota.ratelimit import Priority
from stravasync.sync.context import PassContext, run_authorized


class Tokens:
    """Hands out ``tok-1``, ``tok-2``...; ``same`` hands back the refused token instead."""

    def __init__(self, *, same: bool = False, revoked: bool = False) -> None:
        self.same = same
        self.revoked = revoked
        self.refreshes = 0

    def access_token(self, athlete_id: int, now: datetime, *, priority: Priority) -> str:
        return "tok-0"

    def handle_unauthorized(self, athlete_id: int, failed_token: str, *, priority: Priority) -> str:
        if self.revoked:
            raise TokenRevoked(athlete_id)
        self.refreshes += 1
        return failed_token if self.same else f"tok-{self.refreshes}"

    def confirm_revoked(self, athlete_id: int) -> bool:
        return self.revoked

    def revoke_held(self, athlete_id: int) -> bool:
        return False


def ctx(tokens: Tokens) -> PassContext:
    none = cast(Any, None)
    c = PassContext(none, none, none, tokens, VirtualClock(), 7, "owner", "session")
    c.token = "tok-0"
    return c


def refusing(times: int, c: PassContext) -> Any:
    seen: list[tuple[str, bool]] = []

    def work(resumed: bool) -> list[tuple[str, bool]]:
        seen.append((c.token, resumed))
        if len(seen) <= times:
            raise Unauthorized(None, "Authorization Error")
        return seen

    return work


def test_each_401_gets_a_new_token_and_resumes() -> None:
    c = ctx(Tokens())
    seen = run_authorized(c, refusing(2, c))
    assert seen == [("tok-0", False), ("tok-1", True), ("tok-2", True)]


def test_it_gives_up_for_now_without_stopping_the_athlete() -> None:
    c = ctx(Tokens())
    with pytest.raises(TokenRefused) as info:
        run_authorized(c, refusing(10, c), refreshes=3)
    assert not isinstance(info.value, Unauthorized)  # retried later, not "reconnect needed"
    assert (info.value.athlete_id, info.value.refreshes) == (7, 3)


def test_the_refused_token_handed_back_is_not_retried() -> None:
    tokens = Tokens(same=True)
    c = ctx(tokens)
    with pytest.raises(TokenRefused):
        run_authorized(c, refusing(10, c))
    assert tokens.refreshes == 1


def test_a_rejected_refresh_token_still_stops_the_athlete() -> None:
    c = ctx(Tokens(revoked=True))
    with pytest.raises(TokenRevoked):
        run_authorized(c, refusing(1, c))
