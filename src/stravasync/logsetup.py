"""Logging setup: a human format on a terminal, JSON lines with STRAVASYNC_LOG_FORMAT=json.

Structured fields are passed with ``extra={...}`` and appear in both formats. A filter redacts
anything that looks like a bearer token or a secret, as a last line of defence: code must still
never pass a secret to a logger.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import Any

from stravasync.config import LogFormat

_STANDARD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys() | {"message", "asctime"}
)
_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|code|secret|token)[\"']?\s*[=:]\s*[\"']?)"
        r"[A-Za-z0-9._~+/=-]{8,}"
    ),
]


def redact(text: str) -> str:
    """Replace token-looking values in ``text`` with ``***``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


def _extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}


class RedactingFilter(logging.Filter):
    """Formats the message once and redacts secrets from it and from extra fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in _extra_fields(record).items():
            if isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class RepeatFilter(logging.Filter):
    """At most one line per ``interval`` seconds for the same error, so a flood cannot fill the
    disk with one traceback: the same logger, level, message template and exception type count
    as one error. The next line that passes says how many were left out. Holds at most
    ``max_keys`` errors (then starts afresh)."""

    def __init__(self, interval: float = 1.0, max_keys: int = 1024) -> None:
        super().__init__()
        self.interval = interval
        self.max_keys = max_keys
        self._last: dict[tuple[str, int, str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:  # handlers filter outside their own lock
            return self._admit(record)

    def _admit(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        key = (record.name, record.levelno, str(record.msg), exc)
        seen = self._last.get(key)
        if seen is not None and record.created - seen[0] < self.interval:
            self._last[key] = (seen[0], seen[1] + 1)
            return False
        if seen is None and len(self._last) >= self.max_keys:
            self._last.clear()
        if seen is not None and seen[1]:
            record.msg = f"{record.getMessage()} ({seen[1]} more like this in {self.interval}s)"
            record.args = None
        self._last[key] = (record.created, 0)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(_extra_fields(record))
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, default=str)


class HumanFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        extras = _extra_fields(record)
        if extras:
            base += " " + " ".join(f"{k}={v}" for k, v in sorted(extras.items()))
        return base


def configure_logging(fmt: LogFormat, level: str = "INFO", stream: Any = None) -> None:
    """Install one handler on the ``stravasync`` logger (never the root logger)."""
    logger = logging.getLogger("stravasync")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt is LogFormat.JSON else HumanFormatter())
    handler.addFilter(RepeatFilter())  # before redaction formats the message
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def adopt_loggers(*names: str) -> None:
    """Send other libraries' loggers (uvicorn, asyncio) through the ``stravasync`` handler, so
    their lines get the same format, redaction and repeat limit (not Python's last resort)."""
    handlers = logging.getLogger("stravasync").handlers
    for name in names:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        for handler in handlers:
            logger.addHandler(handler)
        logger.propagate = False
