"""Sending alerts through Apprise: the only I/O of this package.

``STRAVASYNC_ALERT_URLS`` holds one or more Apprise URLs (ntfy://, slack://, discord://,
mailto://, tgram://, json:// ...), separated by spaces or commas. The URLs carry secrets
(tokens, passwords), so none is ever logged: a receiver is named by its position and scheme
(``#2 (slack)``), and Apprise's own log lines, which may quote them, are silenced.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from stravasync.alerts.rules import Alert

log = logging.getLogger(__name__)

_SEPARATORS = re.compile(r"[\s,]+")


def split_urls(value: str) -> list[str]:
    return [u for u in _SEPARATORS.split(value.strip()) if u]


def _label(index: int, url: str) -> str:
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"#{index} ({scheme[:20]})"


@dataclass(frozen=True, slots=True)
class Receiver:
    label: str
    url: str

    def __repr__(self) -> str:  # never the URL
        return f"Receiver({self.label})"


class Sender:
    """Sends each alert to every configured receiver; never raises."""

    def __init__(self, urls: Iterable[str]) -> None:
        import apprise

        logging.getLogger("apprise").setLevel(logging.CRITICAL + 1)  # its lines quote URLs
        self._apprise = apprise
        self.receivers: list[Receiver] = []
        for i, url in enumerate(urls, start=1):
            probe = apprise.Apprise()
            if probe.add(url):
                self.receivers.append(Receiver(_label(i, url), url))
            else:
                log.error(
                    "STRAVASYNC_ALERT_URLS: entry %s is not an Apprise URL Apprise can use; "
                    "it is skipped",
                    _label(i, url),
                )

    def send(self, alert: Alert) -> bool:
        """True when at least one receiver took the alert (each failure logged, no URL)."""
        took = 0
        for receiver in self.receivers:
            try:
                one = self._apprise.Apprise()
                one.add(receiver.url)
                ok = bool(
                    one.notify(
                        body=alert.body,
                        title=f"stravasync: {alert.title}",
                        notify_type=alert.level,
                    )
                )
            except Exception as exc:  # a receiver's failure must never stop the service
                ok = False
                log.warning("alert receiver %s raised %s", receiver.label, type(exc).__name__)
            if ok:
                took += 1
            else:
                log.warning("alert %s not delivered to receiver %s", alert.key, receiver.label)
        return took > 0
