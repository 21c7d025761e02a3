"""Operator alerts: pure decisions (:mod:`.rules`, :mod:`.summary`) and a thin Apprise sender
(:mod:`.deliver`). Others use what is named here."""

from stravasync.alerts.deliver import Sender
from stravasync.alerts.rules import Alert, Facts, Policy, decide
from stravasync.alerts.summary import summary_line

__all__ = ["Alert", "Facts", "Policy", "Sender", "decide", "summary_line"]
