"""``python -m stravasync`` runs the CLI."""

from stravasync.cli import main

main()
