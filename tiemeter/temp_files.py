"""Temp files and folders that become a real file by rename, and the sweep that removes what a killed
process left behind.

Every temp name says who wrote it: ``.<final name>.<host>-<pid>-<random>.tmp``. A temp whose writer
was on this host and is no longer running is debris and is removed by the next run; one whose writer
is alive (a parallel task) is left alone; one from another host is removed once it is older than
``STALE_AFTER_S`` (no write takes that long). Readers never see temps: their names start with a dot,
and the loader and the exports skip dot names.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import time
import uuid
from pathlib import Path

STALE_AFTER_S = 6 * 3600
_HOST = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40] or "host"
_NAME = re.compile(r"^\.(?P<final>.+)\.(?P<host>[A-Za-z0-9_]+)-(?P<pid>\d+)-[0-9a-f]{8}\.tmp$")
_OLD_NAME = re.compile(r"^\..+\.(?:[0-9a-f]{8}\.tmp|tmp|tmp-[0-9a-f]{6}|old-[0-9a-f]{6})$")


def fsync_path(path: Path) -> None:
    """fsync a file or a folder (a folder's fsync makes a rename in it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def writer_tag() -> str:
    """``<host>-<pid>``: who is writing, for names that must tell a live writer from a dead one."""
    return f"{_HOST}-{os.getpid()}"


def writer_dead(tag: str) -> bool:
    """Whether the ``writer_tag()`` ``tag`` names a process of this host that is no longer running."""
    host, _, pid = tag.rpartition("-")
    return host == _HOST and pid.isdigit() and not _alive(int(pid))


def temp_path(final: Path) -> Path:
    """A temp name beside ``final`` that names this host and process."""
    return final.with_name(f".{final.name}.{writer_tag()}-{uuid.uuid4().hex[:8]}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_debris(path: Path, now: float | None = None) -> bool:
    """Whether ``path`` is a temp that no running writer will ever rename."""
    try:
        age = (now or time.time()) - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    return is_debris_name(path.name, age)


def is_debris_name(name: str, age: float) -> bool:
    """``is_debris`` from a temp's name and age alone (an object-store key has no inode to stat)."""
    match = _NAME.match(name)
    if match:
        if match["host"] == _HOST and not _alive(int(match["pid"])):
            return True
        return age > STALE_AFTER_S
    # names written by earlier versions say nothing of their writer: only their age tells
    return bool(_OLD_NAME.match(name)) and age > STALE_AFTER_S


def sweep(folder: Path, pattern: str = "**/.*") -> list[Path]:
    """Remove the debris among the dot files and folders under ``folder``; returns what was removed."""
    if not folder.is_dir():
        return []
    removed = []
    now = time.time()
    for path in sorted(folder.glob(pattern)):
        if is_debris(path, now):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed
