"""The configuration: :class:`Settings` (every ``STRAVASYNC_*`` variable) and
:func:`load_settings`, the only reader of the environment."""

from stravasync.config.kinds import ENV_PREFIX, LogFormat, StravaCount
from stravasync.config.settings import Settings, load_settings

__all__ = ["ENV_PREFIX", "LogFormat", "Settings", "StravaCount", "load_settings"]
