"""stravasync.stats."""
