from __future__ import annotations

import io
import json
import logging

from stravasync.config import LogFormat
from stravasync.logsetup import configure_logging, redact

TOKEN = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"


def _capture(fmt: LogFormat) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(fmt, "DEBUG", stream=stream)
    return stream


def test_json_lines_carry_structured_fields() -> None:
    stream = _capture(LogFormat.JSON)
    logging.getLogger("stravasync.test").info(
        "synced %s activities", 5, extra={"athlete_id": 42, "session_id": "s1"}
    )
    line = json.loads(stream.getvalue().strip())
    assert line["message"] == "synced 5 activities"
    assert line["athlete_id"] == 42
    assert line["session_id"] == "s1"
    assert line["level"] == "info"


def test_tokens_never_reach_the_log_in_either_format() -> None:
    for fmt in (LogFormat.JSON, LogFormat.HUMAN):
        stream = _capture(fmt)
        log = logging.getLogger("stravasync.test")
        log.warning("request failed: Authorization: Bearer %s", TOKEN)
        log.warning("refresh_token=%s expired", TOKEN)
        log.warning("oops", extra={"detail": f"access_token: {TOKEN}"})
        out = stream.getvalue()
        assert TOKEN not in out, fmt
        assert out.count("***") == 3


def test_redact_keeps_ordinary_text() -> None:
    assert redact("athlete 42 synced 200 activities") == "athlete 42 synced 200 activities"
