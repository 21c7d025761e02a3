"""stravasync.sync."""
