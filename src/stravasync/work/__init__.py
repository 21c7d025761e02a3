"""stravasync.work."""
