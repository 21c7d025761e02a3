"""stravasync.notify."""
