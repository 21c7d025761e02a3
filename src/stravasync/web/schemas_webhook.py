"""Strava's webhook events and the answers to them (and to the subscription challenge)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from stravasync.web.bounds import INT64_END, StravaId

UpdateValue = (
    Annotated[str, Field(max_length=1024)]
    | bool
    | Annotated[int, Field(ge=-INT64_END, lt=INT64_END)]
    | float
    | None
)
"""What Strava sends in ``updates`` (strings such as ``"true"``); never nested."""


def _without_nul(updates: dict[str, UpdateValue]) -> dict[str, UpdateValue]:
    """NUL is no character of any title, and PostgreSQL's JSON cannot hold it: dropped."""

    def clean(value: UpdateValue) -> UpdateValue:
        return value.replace("\x00", "") if isinstance(value, str) else value

    return {k.replace("\x00", ""): clean(v) for k, v in updates.items()}


class WebhookEvent(BaseModel):
    """A Strava webhook event; strict, so ``"123"`` for an id is a 400, not a guess. Every id
    in 1..2**63-1, ``updates`` a flat object of at most 16 bounded scalars."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False)

    object_type: Literal["activity", "athlete"]
    object_id: StravaId
    aspect_type: Literal["create", "update", "delete"]
    owner_id: StravaId
    subscription_id: StravaId
    event_time: int = Field(ge=0, lt=INT64_END)
    updates: Annotated[
        dict[Annotated[str, Field(max_length=64)], UpdateValue],
        Field(max_length=16),
        AfterValidator(_without_nul),
    ] = Field(default_factory=dict)


class WebhookAck(BaseModel):
    """The same answer for every well-formed event, stored, redelivered or not ours: the
    subscription id cannot be found by trying."""

    status: Literal["received"]


class Challenge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    hub_challenge: str = Field(alias="hub.challenge", serialization_alias="hub.challenge")
