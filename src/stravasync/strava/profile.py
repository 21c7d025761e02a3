"""The athlete profile we keep: a whitelist of SummaryAthlete fields, bounded, never tokens.

Strava's token answer (code exchange; refreshes usually omit it) and GET /athlete carry the
athlete. We keep only what shows who they are: names, picture urls and place. Everything else
(and anything not a short string) is dropped, so a hostile or changed answer cannot smuggle
tokens or megabytes into ``athletes.profile_json``.
"""

from __future__ import annotations

from typing import Any

TEXT_FIELDS = ("username", "firstname", "lastname", "city", "state", "country")
URL_FIELDS = ("profile", "profile_medium")
MAX_TEXT = 255
MAX_URL = 1024


def athlete_profile(raw: Any) -> dict[str, str]:
    """The kept fields of a raw athlete JSON object (empty when it is not an object)."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, str] = {}
    for key in TEXT_FIELDS:
        value = raw.get(key)
        if isinstance(value, str) and value.strip() and len(value) <= MAX_TEXT:
            out[key] = value.strip()
    for key in URL_FIELDS:
        value = raw.get(key)
        if isinstance(value, str) and len(value) <= MAX_URL and value.startswith("https://"):
            out[key] = value
    return out
