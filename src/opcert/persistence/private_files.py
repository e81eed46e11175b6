"""The data directory is its owner's alone: the directory and its sub-directories 0700, files 0600.

The SQLite database (with its ``-wal`` and ``-shm`` files), the encrypted keys and whatever else
opcert writes there hold personal data or secrets. ``make_private_dir`` creates a directory that
way, ``restrict_tree`` takes group and other permissions away from an existing tree (a data dir
made by an older version, or copied in by a restore), ``restrict_sqlite`` does it for a
database and its companion files.
Only entries owned by the current user are changed, symbolic links are not followed, and only
permission bits are taken away, never added (0644 becomes 0600, 0755 becomes 0700).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) and make ``path`` itself 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    _restrict(path)


def restrict_tree(root: Path) -> None:
    """Take group and other bits away from ``root`` and everything under it (no symlinks)."""
    if not root.is_dir() or not _is_own_tree(root):
        return
    _restrict(root)
    for directory, subdirs, files in os.walk(root, followlinks=False):
        for name in [*subdirs, *files]:
            _restrict(Path(directory) / name)


def restrict_sqlite(database: Path) -> None:
    """The database file and the companions SQLite keeps beside it."""
    for suffix in SQLITE_COMPANIONS:
        _restrict(database.with_name(database.name + suffix))


def _is_own_tree(root: Path) -> bool:
    """False for places that are never one application's data: ``/``, the home directory and
    shared directories with the sticky bit (``/tmp``), where taking bits away would lock others
    out of what is theirs."""
    resolved = root.resolve()
    if resolved in (Path("/"), Path.home().resolve()):
        return False
    return not resolved.stat().st_mode & stat.S_ISVTX


def _restrict(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError, PermissionError):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
            return
        current = stat.S_IMODE(info.st_mode)
        if current & 0o077:
            os.chmod(path, current & ~0o077)  # 0644 -> 0600, 0755 -> 0700
