"""StravaClient: the only code that speaks Strava HTTP (sync ``httpx``; one request per call).

Every method reserves one request against the shared budget first, at the ``priority`` given,
and may raise any error of :mod:`stravasync.strava.errors`; :class:`Deferred` errors are not
failures (the caller reschedules at ``retry_at``). ``origins`` says where the API and OAuth
live (:mod:`stravasync.strava.platform`); ``base_url`` alone is the one-origin shorthand (an
origin serving ``/api/v3`` and ``/oauth``: a simulator). Tokens travel only in the
``Authorization`` header; withdrawing one uses ``POST /oauth/revoke``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from stravasync.clock import Clock
from stravasync.strava.errors import UnexpectedResponse
from stravasync.strava.models import (
    ActivityPage,
    ActivityStats,
    DetailedActivity,
    DetailedAthlete,
    DetailedGear,
    Lap,
    PushSubscription,
    StreamSet,
    SummaryActivity,
    SummaryAthlete,
    TokenResponse,
    parse_list,
)
from stravasync.strava.platform import REVOKE_PATH, TOKEN_PATH, OriginPlan, Origins
from stravasync.strava.quota.budget import Budget
from stravasync.strava.quota.ratelimit import Priority
from stravasync.strava.transport import Call, Transport

if TYPE_CHECKING:
    from stravasync.strava.appstate import AppGate

MAX_PER_PAGE = 200
GEAR_ID = re.compile(r"[bg][0-9]{1,20}")  # Strava's gear ids: b123 bikes, g123 shoes
STREAM_KEYS = [
    "time",
    "distance",
    "latlng",
    "altitude",
    "velocity_smooth",
    "heartrate",
    "cadence",
    "watts",
    "temp",
    "moving",
    "grade_smooth",
]


def _fixed(origins: Origins) -> OriginPlan:
    return lambda _day: origins


class StravaClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        origins: Origins | OriginPlan | None = None,
        client_id: str,
        client_secret: str,
        budget: Budget,
        clock: Clock,
        http: httpx.Client | None = None,
        timeout: float = 20.0,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        rng: random.Random | None = None,
        count_token_requests: bool = True,
        gate: AppGate | None = None,
    ) -> None:
        """``count_token_requests``: whether Strava counts ``POST /oauth/token`` against the
        limits (undocumented; by default we assume it may and reserve each exchange).
        ``gate``: the app-level state (application inactive, invalid client) shared by the
        deployment; without one those answers are raised to the caller as they are."""
        self.count_token_requests = count_token_requests
        if origins is None:
            if base_url is None:
                raise ValueError("StravaClient needs base_url or origins")
            origins = Origins.single(base_url)
        plan = _fixed(origins) if isinstance(origins, Origins) else origins
        self.client_id = client_id
        self._client_secret = client_secret
        self.budget = budget
        self.clock = clock
        self.transport = Transport(
            origins=plan,
            budget=budget,
            clock=clock,
            http=http,
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            rng=rng,
            gate=gate,
            probe=Call(
                "GET",
                "/push_subscriptions",
                Priority.INTERACTIVE,
                "push_subscription",
                params=self._credentials(),
            ),
        )

    @property
    def origins(self) -> Origins:
        """Where requests go today (the configured clock's date)."""
        return self.transport.origins_on(self.clock.now())

    # --- activities --------------------------------------------------------------------------

    def list_activities(
        self,
        access_token: str,
        *,
        before: int | None = None,
        after: int | None = None,
        page: int = 1,
        per_page: int = MAX_PER_PAGE,
        priority: Priority,
    ) -> ActivityPage:
        """One page of the token's athlete's activities. ``before``/``after`` are epoch seconds
        on the start time. Newest first, also with both; under ``after`` alone the order is not
        documented (oldest first observed): :class:`~stravasync.strava.pagination.ForwardCursor`
        copes with either."""
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        params: dict[str, Any] = {"page": page, "per_page": per_page}
        if before is not None:
            params["before"] = before
        if after is not None:
            params["after"] = after
        data = self._get(access_token, "/athlete/activities", priority, "activities", None, params)
        return ActivityPage(
            activities=parse_list(SummaryActivity, data),
            page=page,
            per_page=per_page,
            before=before,
            after=after,
        )

    def get_activity(
        self,
        access_token: str,
        activity_id: int,
        *,
        include_all_efforts: bool = False,
        priority: Priority,
    ) -> DetailedActivity:
        params = {"include_all_efforts": "true"} if include_all_efforts else None
        data = self._get(
            access_token, f"/activities/{activity_id}", priority, "activity", activity_id, params
        )
        return DetailedActivity.parse(data)

    def get_laps(self, access_token: str, activity_id: int, *, priority: Priority) -> list[Lap]:
        data = self._get(
            access_token, f"/activities/{activity_id}/laps", priority, "activity", activity_id
        )
        return parse_list(Lap, data)

    def get_streams(
        self,
        access_token: str,
        activity_id: int,
        *,
        keys: Sequence[str] = STREAM_KEYS,
        priority: Priority,
    ) -> StreamSet:
        params = {"keys": ",".join(keys), "key_by_type": "true"}
        data = self._get(
            access_token,
            f"/activities/{activity_id}/streams",
            priority,
            "activity",
            activity_id,
            params,
        )
        if isinstance(data, list):  # key_by_type ignored: a list of {type, data, ...}
            data = {str(s.get("type")): s for s in data if isinstance(s, dict)}
        return StreamSet.parse(data)

    def get_kudos(
        self,
        access_token: str,
        activity_id: int,
        *,
        page: int = 1,
        per_page: int = MAX_PER_PAGE,
        priority: Priority,
    ) -> list[SummaryAthlete]:
        params = {"page": page, "per_page": max(1, min(per_page, MAX_PER_PAGE))}
        data = self._get(
            access_token,
            f"/activities/{activity_id}/kudos",
            priority,
            "activity",
            activity_id,
            params,
        )
        return parse_list(SummaryAthlete, data)

    # --- athlete -----------------------------------------------------------------------------

    def get_athlete(self, access_token: str, *, priority: Priority) -> DetailedAthlete:
        return DetailedAthlete.parse(self._get(access_token, "/athlete", priority, "athlete"))

    def get_gear(self, access_token: str, gear_id: str, *, priority: Priority) -> DetailedGear:
        """One bike or pair of shoes (DetailedGear); :class:`NotFound` for gear we may not see.
        ``gear_id`` is Strava's (``b123``/``g123``): anything else is refused before a request."""
        if not GEAR_ID.fullmatch(gear_id):
            raise ValueError(f"not a Strava gear id: {gear_id[:40]!r}")
        return DetailedGear.parse(
            self._get(access_token, f"/gear/{gear_id}", priority, "gear", gear_id)
        )

    def get_athlete_stats(
        self, access_token: str, athlete_id: int, *, priority: Priority
    ) -> ActivityStats:
        data = self._get(
            access_token, f"/athletes/{athlete_id}/stats", priority, "athlete", athlete_id
        )
        return ActivityStats.parse(data)

    # --- OAuth -------------------------------------------------------------------------------

    def exchange_code(
        self, code: str, *, priority: Priority = Priority.INTERACTIVE
    ) -> TokenResponse:
        """Trade an authorization code for tokens (the code is single-use)."""
        return self._token({"code": code, "grant_type": "authorization_code"}, priority)

    def refresh(
        self,
        refresh_token: str,
        *,
        priority: Priority = Priority.INTERACTIVE,
        on_receipt: Callable[[TokenResponse], None] | None = None,
    ) -> TokenResponse:
        """New tokens from a refresh token. The returned refresh token replaces the old one,
        which Strava invalidates at once: persist it before using the access token.
        ``on_receipt`` (persist it there) runs as soon as the answer is read, before anything
        else this client does with the answer."""
        return self._token(
            {"refresh_token": refresh_token, "grant_type": "refresh_token"}, priority, on_receipt
        )

    def revoke(
        self,
        token: str,
        *,
        token_type_hint: str = "refresh_token",  # noqa: S107
        priority: Priority = Priority.INTERACTIVE,
    ) -> None:
        """Withdraw the athlete's authorization: ``POST /oauth/revoke`` with HTTP Basic
        ``client_id:client_secret`` and ``token`` (an access or a refresh token: revoking either
        revokes both); 200 even for an unknown token. Replaces ``/oauth/deauthorize``."""
        self.transport.json(
            Call(
                "POST",
                REVOKE_PATH,
                priority,
                "token",
                form={"token": token, "token_type_hint": token_type_hint},
                basic=(self.client_id, self._client_secret),
                origin="oauth",
            )
        )

    # --- webhooks ----------------------------------------------------------------------------

    def create_push_subscription(self, callback_url: str, verify_token: str) -> int:
        data = self.transport.json(
            Call(
                "POST",
                "/push_subscriptions",
                Priority.INTERACTIVE,
                "push_subscription",
                form={
                    **self._credentials(),
                    "callback_url": callback_url,
                    "verify_token": verify_token,
                },
                retry_unanswered=False,
            )
        )
        if not isinstance(data, dict) or not isinstance(data.get("id"), int):
            raise UnexpectedResponse("PushSubscription", "the answer has no id")
        return int(data["id"])

    def list_push_subscriptions(self) -> list[PushSubscription]:
        data = self.transport.json(
            Call(
                "GET",
                "/push_subscriptions",
                Priority.INTERACTIVE,
                "push_subscription",
                params=self._credentials(),
            )
        )
        return parse_list(PushSubscription, data)

    def delete_push_subscription(self, subscription_id: int) -> None:
        self.transport.json(
            Call(
                "DELETE",
                f"/push_subscriptions/{subscription_id}",
                Priority.INTERACTIVE,
                "push_subscription",
                subscription_id,
                params=self._credentials(),
            )
        )

    # --- plumbing ----------------------------------------------------------------------------

    def _credentials(self) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self._client_secret}

    def _get(
        self,
        access_token: str,
        path: str,
        priority: Priority,
        resource: str,
        resource_id: int | str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        return self.transport.json(
            Call(
                "GET",
                path,
                priority,
                resource,
                resource_id,
                params=params,
                bearer=access_token,
            )
        )

    def _token(
        self,
        form: dict[str, str],
        priority: Priority,
        on_receipt: Callable[[TokenResponse], None] | None = None,
    ) -> TokenResponse:
        parsed: list[TokenResponse] = []

        def receive(data: Any) -> None:
            parsed.append(TokenResponse.parse(data))
            if on_receipt is not None:
                on_receipt(parsed[0])

        data = self.transport.json(
            Call(
                "POST",
                TOKEN_PATH,
                priority,
                "token",
                form={**self._credentials(), **form},
                retry_unanswered=False,
                budgeted=self.count_token_requests,
                origin="oauth",
                on_receipt=receive if on_receipt is not None else None,
            )
        )
        return parsed[0] if parsed else TokenResponse.parse(data)
