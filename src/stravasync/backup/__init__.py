"""Backups: the database and the token key file as one verified archive, and their restore.

Others use :func:`create_backup`, :func:`restore_backup`, :class:`Manifest` and
:class:`BackupError` (one line, no secret).
"""

from stravasync.backup.archive import create_backup, restore_backup
from stravasync.backup.manifest import BackupError, Manifest

__all__ = ["BackupError", "Manifest", "create_backup", "restore_backup"]
