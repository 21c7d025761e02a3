"""The client and the shared rate budget: the shape of spending."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

# the budget's priority classes (stravasync.strava's Priority), as the settings name them
PRIORITY_CLASSES = frozenset(
    {"interactive", "webhook", "incremental", "refresh", "backfill", "enrich", "reconcile"}
)


class BudgetArea(BaseModel):
    """The client and the shared rate budget."""

    # --- client / budget (issue 4) ------------------------------------------------------------
    # Shape of spending; each default reasoned in stravasync.strava.quota.ratelimit's docstring.
    budget_cushions: dict[str, float] = Field(
        default_factory=dict,
        description="fraction of each limit a class leaves to the classes above it, overriding "
        'the defaults, e.g. {"backfill": 0.2}',
    )
    budget_paced_from: str = Field(
        "incremental", description="this class and every lower one spread spending over a window"
    )
    budget_burst: float = Field(0.10, ge=0, le=1, description="fraction spendable at a reset")
    budget_release: float = Field(
        0.10, ge=0, le=1, description="final fraction of a quarter hour in which cushions shrink"
    )
    budget_daily_release: float = Field(
        1.0, ge=0, le=1, description="final fraction of a day over which daily cushions shrink"
    )
    budget_guard: float = Field(
        1.0,
        ge=0,
        le=60,
        description="seconds either side of a quarter-hour reset in which nothing is sent",
    )
    budget_daily_reserve: float = Field(
        0.20,
        ge=0,
        lt=1,
        description="fraction of each daily limit the periodic classes (incremental, refresh, "
        "enrich, reconcile) never spend, kept for interactive work, webhooks and new athletes",
    )
    budget_daily_reserve_release: float = Field(
        1_800.0,
        ge=0,
        le=86_400,
        description="final seconds of a day in which the unclaimed daily reserve is released "
        "to incremental, refresh and reconcile (a burst then waits at most this long for a reset)",
    )
    budget_count_token_requests: bool = Field(
        True,
        description="reserve POST /oauth/token (code exchange, refresh) against the limits: "
        "Strava does not document whether it counts them, so by default we assume it does",
    )
    http_max_retries: int = Field(3, ge=0, le=10, description="retries of a transient failure")
    token_lock_ttl: float = Field(
        120.0, gt=0, description="seconds a crashed token refresh keeps the athlete locked"
    )
    oauth_scopes: str = "read,activity:read_all,profile:read_all"
    require_private_scope: bool = Field(
        True, description="refuse a connection without activity:read_all (private activities)"
    )
    athlete_capacity: int | None = Field(
        None,
        ge=1,
        description="athletes the Strava application may connect (its capacity on "
        "strava.com/settings/api); a new connection beyond it is refused in plain words",
    )

    @field_validator("budget_cushions")
    @classmethod
    def _known_classes(cls, value: dict[str, float]) -> dict[str, float]:
        for key, fraction in value.items():
            if key.lower() not in PRIORITY_CLASSES:
                raise ValueError("keys must be among " + ", ".join(sorted(PRIORITY_CLASSES)))
            if not 0 <= fraction < 1:
                raise ValueError("each cushion is a fraction in [0, 1)")
        return {k.lower(): v for k, v in value.items()}

    @field_validator("budget_paced_from")
    @classmethod
    def _known_class(cls, value: str) -> str:
        if value.lower() not in PRIORITY_CLASSES:
            raise ValueError("must be one of " + ", ".join(sorted(PRIORITY_CLASSES)))
        return value.lower()
