"""Running WildTrace for a team: back up and restore an installation, check it (``doctor``).

    from wildtrace.ops import backup, restore
    backup(load_settings(), Path("backup-2026-12-07"), passphrase)
"""

from wildtrace.ops._backup import BackupError, backup, check_backup, restore, row_counts
from wildtrace.ops._doctor import Check, doctor

__all__ = ["BackupError", "Check", "backup", "check_backup", "doctor", "restore", "row_counts"]
