"""The landing contract: what collectors write and the loader reads, in one place (ground layer).

- ``RESOURCES``: every landing resource and what its raw table holds. The folder under ``landing/``
  names the resource, and the resource names the raw table ``raw.<resource>``. Adding a source is one
  entry here plus its staging model.
- The provenance stamp: ``__tiemeter`` on every line (``provenance()``; ``STAMP_TYPES`` is how the
  loader reads it).
- The layout ``landing/<resource>/<YYYY-MM>/<name>.jsonl`` (``landing_path()``) and its glob
  (``LANDING_GLOB``, ``landing_files()``).
- The file hash (``file_sha256()``) that names imports and the load ledger's entries.

Files are written atomically (temp file, fsync, rename, fsync of the folder) and never edited
afterwards.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from tiemeter.temp_files import fsync_path, temp_path

X_API_PAGES = "x_api_pages"
X_API_REQUESTS = "x_api_requests"
X_ARCHIVE_TWEETS = "x_archive_tweets"
X_ARCHIVE_FOLLOWS = "x_archive_follows"
CONVERSIONS = "conversions"
BLOG_FEEDS = "blog_feeds"
BLOG_WP_API = "blog_wp_api"
BLOG_DISQUS_API = "blog_disqus_api"
BLOG_WXR = "blog_wxr"
BLOG_DISQUS_XML = "blog_disqus_xml"

# landing/<resource>/ -> raw.<resource>. Every raw table has the same columns: the payload JSON,
# untouched, and its provenance.
RESOURCES = {
    X_API_PAGES: "X API v2 pages (ours or twarc2's), one page per row",
    X_ARCHIVE_TWEETS: "X archive tweets.js items, one tweet per row",
    X_ARCHIVE_FOLLOWS: "X archive follower.js / following.js items, one edge per row",
    CONVERSIONS: "rows of imported conversions CSV files (donations, sales, sign-ups), one per row",
    BLOG_FEEDS: "RSS / Atom / JSON feeds as feedparser parsed them, one fetched or imported document per row",
    BLOG_WP_API: "WordPress REST API pages (/wp/v2/posts, /wp/v2/comments) as `items`, one page per row",
    BLOG_DISQUS_API: "Disqus API posts/list pages (posts with their thread), one page per row",
    BLOG_WXR: "WordPress export (WXR) records: items with their comments, authors, channel fields",
    BLOG_DISQUS_XML: "Disqus XML export records: categories, threads and posts",
    X_API_REQUESTS: "X API requests the collector made, one HTTP attempt per row (the request ledger)",
}
# Quarantined input: loaded into meta.quarantine, not a raw table.
QUARANTINE_RESOURCE = "_quarantine"

PROVENANCE_KEY = "__tiemeter"
# The stamp's fields as the loader reads them (DuckDB types); provenance() writes them.
STAMP_TYPES = {
    "source": "VARCHAR",
    "endpoint": "VARCHAR",
    "kind": "VARCHAR",
    "params": "JSON",
    "retrieved_at": "VARCHAR",
    "run_id": "VARCHAR",
}

# landing/<resource>/<YYYY-MM>/<name>.jsonl; names starting with a dot are temp files.
LANDING_GLOB = "*/*/*.jsonl"
HASH_CHUNK = 1 << 20
_RESOURCE_NAME = re.compile(r"^_?[a-z][a-z0-9_]*$")


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_run_id(now: datetime | None = None) -> str:
    return f"{(now or utc_now()):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def provenance(
    *,
    source: str,
    endpoint: str,
    run_id: str,
    params: Mapping[str, Any] | None = None,
    retrieved_at: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The ``__tiemeter`` stamp. ``params`` must never hold a secret: callers pass query parameters only."""
    stamp = {
        "source": source,
        "endpoint": endpoint,
        "params": dict(params or {}),
        "retrieved_at": retrieved_at or iso(utc_now()),
        "run_id": run_id,
    }
    stamp.update({k: v for k, v in extra.items() if v is not None})
    return stamp


def stamp_raw_object(raw: bytes, stamp: Mapping[str, Any]) -> bytes:
    """Prefix a raw JSON object's bytes with the provenance key, leaving the original bytes untouched.

    ``raw`` must be the text of one JSON object (already validated by the caller) without
    ``__tiemeter`` in it.
    """
    body = raw.strip()
    rest = body[1:].lstrip()
    head = b'{"' + PROVENANCE_KEY.encode() + b'":' + orjson.dumps(stamp)
    return head + (b"" if rest.startswith(b"}") else b",") + rest


def stamp_object(obj: Mapping[str, Any], stamp: Mapping[str, Any]) -> bytes:
    return orjson.dumps({PROVENANCE_KEY: stamp, **{k: v for k, v in obj.items() if k != PROVENANCE_KEY}})


@dataclass
class LandingFile:
    """One landing file being written. Nothing is visible under its final name until ``commit()``."""

    path: Path
    lines: int = 0
    _handle: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = temp_path(self.path)
        self._handle = open(self._tmp, "wb")  # noqa: SIM115 - closed in commit/abort

    def write_line(self, line: bytes) -> None:
        self._handle.write(line)
        self._handle.write(b"\n")
        self.lines += 1

    def write_object(self, obj: Mapping[str, Any], stamp: Mapping[str, Any]) -> None:
        self.write_line(stamp_object(obj, stamp))

    def commit(self) -> Path:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._tmp, self.path)
        fsync_path(self.path.parent)
        return self.path

    def abort(self) -> None:
        if not self._handle.closed:
            self._handle.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> LandingFile:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None or not self._handle.closed:
            self.abort()


class RollingLandingFile:
    """Landing files of at most ``max_bytes`` each (``<name>-p0001.jsonl``, ...), committed together.

    Big imports are cut into parts so that the loader, which loads each file in one transaction,
    needs memory for one part at a time.
    """

    def __init__(self, landing_root: Path, resource: str, name: str, max_bytes: int = 64 << 20):
        self.landing_root, self.resource, self.name, self.max_bytes = landing_root, resource, name, max_bytes
        self.parts: list[LandingFile] = []
        self.lines = 0
        self._bytes = 0

    def _current(self) -> LandingFile:
        if not self.parts or self._bytes >= self.max_bytes:
            part = f"{self.name}-p{len(self.parts) + 1:04d}"
            self.parts.append(LandingFile(landing_path(self.landing_root, self.resource, part)))
            self._bytes = 0
        return self.parts[-1]

    def write_line(self, line: bytes) -> None:
        self._current().write_line(line)
        self._bytes += len(line) + 1
        self.lines += 1

    def write_object(self, obj: Mapping[str, Any], stamp: Mapping[str, Any]) -> None:
        self.write_line(stamp_object(obj, stamp))

    def commit(self) -> list[Path]:
        return [part.commit() for part in self.parts]

    def abort(self) -> None:
        for part in self.parts:
            part.abort()

    def __enter__(self) -> RollingLandingFile:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None or any(not part._handle.closed for part in self.parts):
            self.abort()


def landing_path(landing_root: Path, resource: str, name: str, when: datetime | None = None) -> Path:
    """``landing/<resource>/<YYYY-MM>/<name>.jsonl``; the month folder keeps folders small."""
    if not _RESOURCE_NAME.match(resource):
        raise ValueError(f"invalid landing resource name {resource!r}")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
    return landing_root / resource / f"{(when or utc_now()):%Y-%m}" / f"{safe}.jsonl"


def landing_files(landing_root: Path) -> list[Path]:
    """Landing files in a stable order (resource, month, name), without temp files (dot names)."""
    if not landing_root.is_dir():
        return []
    return sorted(p for p in landing_root.glob(LANDING_GLOB) if not p.name.startswith("."))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_landing_file(path: Path, lines: list[bytes]) -> Path:
    with LandingFile(path) as out:
        for line in lines:
            out.write_line(line)
        return out.commit()
