"""Collector state on disk: small files replaced atomically, and append-only logs.

Collectors keep their state in files under ``home.state`` so that they never need the DuckDB lock.
A replaced file is written to a temp file, fsynced, renamed over the old one, and the folder is
fsynced: after a crash the file is either the old version or the new one, never half of each.
An append-only log is fsynced after each append; its reader ignores a torn last line.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tiemeter.errors import CollectionBusy, FatalError
from tiemeter.temp_files import fsync_path, temp_path


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Temp file, fsync, rename; ``sync_dir=False`` skips the folder's fsync, for state whose loss in a
    power cut costs a repeated request but never data (the rename is still atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_path(path.parent)


def write_json_atomic(path: Path, obj: Any, *, sync_dir: bool = True) -> None:
    write_atomic(
        path, orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS), sync_dir=sync_dir
    )


def read_json(path: Path, default: Any = None) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return default


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock next to ``path``: parallel collector tasks share one log safely."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def collection_lock(
    path: Path, what: str, wait_s: float | None, on_wait: Callable[[str], None] = lambda message: None
) -> Iterator[None]:
    """Hold ``path`` while ``what`` is collected, so that two runs on one home never fetch (and pay for)
    the same pages. Busy: wait up to ``wait_s`` seconds (telling ``on_wait`` once), or with
    ``wait_s=None`` raise ``CollectionBusy`` at once. The lock dies with its process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + (wait_s or 0)
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().decode("utf-8", "replace").strip() or "another process"
                message = f"{what} is being collected into this home by {holder}"
                if wait_s is None:
                    raise CollectionBusy(
                        f'{message}; not starting a second collection (collect.when_busy = "exit")'
                    ) from None
                if time.monotonic() >= deadline:
                    raise CollectionBusy(f"{message}; gave up after waiting {wait_s:g}s") from None
                if not told:
                    on_wait(f"waiting: {message}")
                    told = True
                time.sleep(0.2)
        try:
            handle.truncate(0)
            handle.write(f"pid {os.getpid()} on {socket.gethostname()}".encode())
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def append_json_lines(path: Path, objects: Iterable[Any], *, sync: bool = True) -> None:
    """Append one JSON line per object under the log's lock; fsync unless ``sync`` is False."""
    data = b"".join(orjson.dumps(obj) + b"\n" for obj in objects)
    if not data:
        return
    with locked(path):
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":  # a torn line from a crash: end it first
                data = b"\n" + data
            os.write(fd, data)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)


def read_json_lines(path: Path) -> Iterator[Any]:
    """Every complete line of an append-only log; a torn last line (a crash mid-append) is skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    for line in data.split(b"\n"):
        if not line:
            continue
        try:
            yield orjson.loads(line)
        except orjson.JSONDecodeError:
            continue


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(key: str) -> str:
    """``key`` as a file name: runs of other characters become one dash."""
    return _SAFE.sub("-", key).strip("-") or "default"


@dataclass(frozen=True)
class StateFile:
    """One collector's state (validators, cursors) as a JSON object, replaced atomically and only
    after the data it covers has landed: a crash between the two repeats a little work, never loses any."""

    path: Path

    @classmethod
    def for_key(cls, state_root: Path, kind: str, key: str) -> StateFile:
        return cls(state_root / kind / f"{safe_name(key)}.json")

    def read(self) -> dict[str, Any]:
        try:
            value = read_json(self.path, {})
        except orjson.JSONDecodeError as error:
            raise FatalError(
                f"{self.path}: state file is not JSON ({error}); remove it to start over"
            ) from None
        return value if isinstance(value, dict) else {}

    def write(self, value: dict[str, Any]) -> None:
        write_json_atomic(self.path, value)
