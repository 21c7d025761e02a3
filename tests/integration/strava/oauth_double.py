"""A tiny stand-in for Strava's /oauth/token (rotation, invalidation), for token tests.

It is not stravasync code: it plays Strava's documented behaviour so TokenManager can be tested
without the simulator. Thread-safe; counts refresh calls.
"""

from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta

import httpx

from stravasync.clock import VirtualClock, to_epoch


class OAuthDouble:
    def __init__(self, clock: VirtualClock, *, delay: float = 0.0) -> None:
        self.clock = clock
        self.delay = delay  # real seconds a refresh takes (widens races)
        self.lock = threading.Lock()
        self.refresh_tokens: dict[str, int] = {}
        self.access_tokens: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        self.refresh_calls = 0
        self._ids = itertools.count(1)

    def grant(self, athlete_id: int) -> str:
        code = f"code-{next(self._ids)}"
        self.codes[code] = athlete_id
        return code

    def revoke_athlete(self, athlete_id: int) -> None:
        with self.lock:
            for table in (self.refresh_tokens, self.access_tokens):
                for key in [k for k, v in table.items() if v == athlete_id]:
                    del table[key]

    def _issue(self, athlete_id: int) -> dict[str, object]:
        n = next(self._ids)
        access, refresh = f"access-{athlete_id}-{n}", f"refresh-{athlete_id}-{n}"
        self.access_tokens[access] = athlete_id
        self.refresh_tokens[refresh] = athlete_id
        expires = self.clock.now() + timedelta(hours=6)
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": to_epoch(expires),
            "expires_in": 21600,
            "athlete": {"id": athlete_id, "firstname": "Test", "lastname": f"Rider{athlete_id}"},
        }

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            form = dict(httpx.QueryParams(request.content.decode()))
            if form.get("grant_type") == "refresh_token":
                time.sleep(self.delay)
                with self.lock:
                    self.refresh_calls += 1
                    athlete = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
                    if athlete is None:
                        return httpx.Response(
                            400,
                            json={
                                "message": "Bad Request",
                                "errors": [
                                    {
                                        "resource": "RefreshToken",
                                        "field": "refresh_token",
                                        "code": "invalid",
                                    }
                                ],
                            },
                        )
                    return httpx.Response(200, json=self._issue(athlete))
            with self.lock:
                athlete = self.codes.pop(form.get("code", ""), None)
                if athlete is None:
                    return httpx.Response(
                        400,
                        json={
                            "message": "Bad Request",
                            "errors": [
                                {
                                    "resource": "AuthorizationCode",
                                    "field": "code",
                                    "code": "invalid",
                                }
                            ],
                        },
                    )
                return httpx.Response(200, json=self._issue(athlete))
        if request.url.path == "/api/v3/athlete":
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            athlete = self.access_tokens.get(token)
            if athlete is None:
                return httpx.Response(401, json={"message": "Authorization Error"})
            return httpx.Response(200, json={"id": athlete})
        return httpx.Response(404, json={"message": "Record Not Found"})

    def http(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler))
