"""Answers every area shares: the error Problem, health and readiness."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class Problem(BaseModel):
    """Every error answer: a short machine code and a sentence for people."""

    error: str
    detail: str


class Health(BaseModel):
    status: Literal["ok"]


class AppStateOut(BaseModel):
    """An app-level Strava condition: nothing is sent to Strava until a probe succeeds."""

    condition: Literal["application_inactive", "invalid_client"]
    reason: str
    since: datetime
    probes: int
    next_probe_at: datetime
    last_probe_at: datetime | None = None


class Ready(BaseModel):
    """``degraded`` (HTTP 200: the data API and webhook intake still work): Strava refuses
    the application; ``not_ready`` (503): the database is not usable."""

    status: Literal["ready", "degraded", "not_ready"]
    database: str
    revision: str | None = None
    head: str | None = None
    reason: str | None = None
    app_state: AppStateOut | None = None
