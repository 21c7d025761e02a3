"""What the operator reads and controls across athletes.

Modules: ``admin`` (runtime settings, scheduler, quota, dead letters), ``appstate`` (the
app-level Strava state row), ``controls`` (bulk actions: sync everyone, reset what is stuck),
``opsfacts`` (counts behind alerts and health).
"""
