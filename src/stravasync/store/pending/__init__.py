"""Work waiting to be done, with a due time or a lease, and the facts it is planned from.

Modules: ``syncstate`` (per-athlete claim and results), ``parking`` (athletes out of the claim),
``heat`` (the refresh cadence's facts), ``jobs`` (one-off jobs), ``sessions`` (sync sessions and
their log lines), ``inbox``, ``event_claims`` and ``event_reads`` (webhook events), ``outbox``
(notifications).
"""
