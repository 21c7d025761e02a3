"""The store, logging, the Strava application and its tokens, the rate tier."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator

from stravasync.config.kinds import LogFormat, http_url


class AppArea(BaseModel):
    """The store, logging, the Strava application and its tokens, the rate tier.."""

    # --- store -----------------------------------------------------------------------------
    database_url: str = Field(
        "sqlite:///./data/stravasync.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    database_echo: bool = False

    # --- logging ---------------------------------------------------------------------------
    log_format: LogFormat = LogFormat.HUMAN
    log_level: str = "INFO"

    # --- Strava application and tokens ----------------------------------------------------
    strava_base_url: str | None = Field(
        None,
        description="One origin serving /api/v3 and /oauth: a simulator or a proxy (unset: "
        "Strava's own origins, the API's chosen by the date, docs/strava-platform.md)",
    )
    strava_api_url: str | None = Field(
        None,
        description="The API origin, paths without /api/v3 (unset: chosen by the date, "
        "docs/strava-platform.md)",
    )
    strava_oauth_url: str | None = Field(
        None, description="The OAuth origin (unset: STRAVASYNC_STRAVA_BASE_URL, else Strava's)"
    )
    client_id: str | None = None
    client_secret: SecretStr | None = None
    redirect_uri: str = "http://127.0.0.1:8721/oauth/callback"
    secret_key: SecretStr | None = Field(None, description="Fernet key that encrypts tokens")
    key_file: Path = Path("./data/secret.key")
    http_timeout: float = Field(20.0, gt=0, description="seconds per Strava HTTP request")
    token_refresh_margin: int = Field(
        600, ge=0, description="seconds before expiry at which an access token is refreshed"
    )

    # --- rate budget -----------------------------------------------------------------------
    rate_tier: str = Field(
        "default", description="default | standard | extended | unlimited | explicit"
    )
    rate_overall_15min: int | None = Field(None, gt=0)
    rate_overall_daily: int | None = Field(None, gt=0)
    rate_read_15min: int | None = Field(None, gt=0)
    rate_read_daily: int | None = Field(None, gt=0)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return upper

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not (value.startswith("sqlite") or value.startswith("postgresql")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        return value

    @field_validator("rate_tier")
    @classmethod
    def _known_tier(cls, value: str) -> str:
        allowed = {"default", "standard", "extended", "unlimited", "explicit"}
        if value not in allowed:
            raise ValueError("must be one of " + ", ".join(sorted(allowed)))
        return value

    @field_validator("strava_base_url", "strava_api_url", "strava_oauth_url")
    @classmethod
    def _optional_http_url(cls, value: str | None) -> str | None:
        return http_url(value) if value else None
