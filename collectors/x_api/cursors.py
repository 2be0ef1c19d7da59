"""Cursors per (endpoint, key): ``since_id`` for incremental runs, ``next_token`` to resume a pagination.

A cursor moves only once its page is durably landed. Before a page is landed, the cursor file is
rewritten with a *pending* step that names the landing file; whoever reads the cursor later
applies that step only if the landing file exists. So a kill at any moment either leaves the page
unlanded with the cursor before it, or landed with the cursor after it: a resumed run neither
loses a page nor fetches a landed one again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tiemeter.collectors.state_files import read_json, write_json_atomic
from tiemeter.landing import relative_name


def newer_id(a: str | None, b: str | None) -> str | None:
    """The larger of two tweet ids (decimal strings), ignoring None."""
    if a is None or b is None:
        return a or b
    return a if int(a) >= int(b) else b


@dataclass
class Cursor:
    endpoint: str
    key: str
    since_id: str | None = None  # everything up to here was collected by a finished pagination
    next_token: str | None = None  # a pagination in progress resumes here
    newest_id: str | None = None  # newest id of the pagination in progress (becomes since_id at its end)
    done_at: float | None = None  # when the last pagination finished (epoch seconds)
    done_count: int | None = None  # reaction lists: the public metric that the finished pagination covered
    pending: dict[str, Any] | None = field(default=None)

    @property
    def in_progress(self) -> bool:
        return self.next_token is not None

    def advance(
        self, next_token: str | None, newest_id: str | None, done_count: int | None, at: float
    ) -> None:
        self.newest_id = newer_id(self.newest_id, newest_id)
        self.next_token = next_token
        if next_token is None:
            self.since_id = newer_id(self.since_id, self.newest_id)
            self.newest_id = None
            self.done_at = at
            self.done_count = done_count


class CursorStore:
    def __init__(self, root: Path, landing_root: Path):
        self.root = root
        self.landing_root = landing_root

    def path(self, endpoint: str, key: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", endpoint.lower()).strip("-")
        return self.root / f"{slug}--{hashlib.sha1(key.encode()).hexdigest()[:20]}.json"

    def load(self, endpoint: str, key: str) -> Cursor:
        data = read_json(self.path(endpoint, key))
        if not data:
            return Cursor(endpoint, key)
        cursor = Cursor(**data)
        pending = cursor.pending
        cursor.pending = None
        if pending and (self.landing_root / pending["landing_file"]).exists():
            cursor.advance(pending["next_token"], pending["newest_id"], pending["done_count"], pending["at"])
        return cursor

    def stage(
        self,
        cursor: Cursor,
        landing_file: Path,
        next_token: str | None,
        newest_id: str | None,
        done_count: int | None,
        at: float,
    ) -> dict[str, Any]:
        """Write the step to take once ``landing_file`` exists; call ``commit`` after landing it."""
        step = {
            "landing_file": relative_name(self.landing_root, landing_file),
            "next_token": next_token,
            "newest_id": newest_id,
            "done_count": done_count,
            "at": at,
        }
        cursor.pending = step
        # No folder fsync: a cursor lost to a power cut is only older, and the pending step is
        # checked against the landing file, so the worst case is a page fetched twice, never lost.
        write_json_atomic(self.path(cursor.endpoint, cursor.key), asdict(cursor), sync_dir=False)
        return step

    def advance(
        self, cursor: Cursor, next_token: str | None, newest_id: str | None, done_count: int | None, at: float
    ) -> None:
        """Move the cursor over a page with nothing to land (an empty poll)."""
        cursor.advance(next_token, newest_id, done_count, at)
        write_json_atomic(self.path(cursor.endpoint, cursor.key), asdict(cursor), sync_dir=False)

    @staticmethod
    def commit(cursor: Cursor, step: dict[str, Any]) -> None:
        """The page is landed: apply the step in memory (the file already says so through ``pending``)."""
        cursor.pending = None
        cursor.advance(step["next_token"], step["newest_id"], step["done_count"], step["at"])
