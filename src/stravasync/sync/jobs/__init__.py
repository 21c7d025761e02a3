"""Jobs on a timer or a clock: periodic housekeeping, the scheduled jobs, the operator's checks."""
