"""stravasync.web."""
