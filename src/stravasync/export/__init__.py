"""stravasync.export."""
