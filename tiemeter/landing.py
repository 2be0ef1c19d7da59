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

The landing root is a local folder (a ``Path``) or an object-store URL (``s3://bucket/prefix``, a
``UPath`` through fsspec/s3fs; ``open_landing_root()``). On an object store a file is written to a
temporary key (a dot name, which no listing here returns), then copied to its final key and the
temporary key deleted: the final key appears whole or not at all. Credentials and the endpoint come
from the standard AWS environment variables or AWS config files, never from a tiemeter file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from upath import UPath

from tiemeter.errors import FatalError
from tiemeter.temp_files import fsync_path, is_debris_name, temp_path

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
        self._tmp = temp_path(self.path)
        if is_remote(self.path):
            self._handle = self._tmp.open("wb")  # an object store: no folders to make
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self._tmp, "wb")  # noqa: SIM115 - closed in commit/abort

    def write_line(self, line: bytes) -> None:
        self._handle.write(line)
        self._handle.write(b"\n")
        self.lines += 1

    def write_object(self, obj: Mapping[str, Any], stamp: Mapping[str, Any]) -> None:
        self.write_line(stamp_object(obj, stamp))

    def commit(self) -> Path:
        if is_remote(self.path):
            self._handle.close()  # the temporary object is complete once this returns
            fs = self.path.fs
            fs.cp_file(self._tmp.path, self.path.path)  # server-side copy: the final key appears whole
            fs.rm_file(self._tmp.path)
            return self.path
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._tmp, self.path)
        fsync_path(self.path.parent)
        return self.path

    def abort(self) -> None:
        if is_remote(self.path):
            if not self._handle.closed:  # nothing uploaded yet, or a multipart upload to abandon
                with contextlib.suppress(Exception):
                    self._handle.discard()
                self._handle.closed = True
            with contextlib.suppress(FileNotFoundError):
                self.path.fs.rm_file(self._tmp.path)
            return
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
    return [path for path, _, _ in landing_listing(landing_root)]


def landing_listing(landing_root: Path) -> list[tuple[Path, int, float]]:
    """``(path, size, mtime)`` of every landing file, in ``landing_files()`` order.

    On an object store one listing answers it all (no request per file); temporary keys (dot names)
    are never listed, so the loader takes only complete objects."""
    if is_remote(landing_root):
        found = []
        for key, info in _remote_find(landing_root).items():
            rel = key[len(landing_root.path.rstrip("/")) + 1 :]
            parts = rel.split("/")
            if len(parts) == 3 and parts[2].endswith(".jsonl") and not parts[2].startswith("."):
                found.append((landing_root.joinpath(*parts), int(info.get("size") or 0), _mtime(info)))
        return sorted(found, key=lambda item: relative_name(landing_root, item[0]))
    if not landing_root.is_dir():
        return []
    paths = sorted(p for p in landing_root.glob(LANDING_GLOB) if not p.name.startswith("."))
    stats = [p.stat() for p in paths]
    return [(p, st.st_size, st.st_mtime) for p, st in zip(paths, stats, strict=True)]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") if is_remote(path) else open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# -- the landing root: a local folder or an object-store URL ---------------------------------

REMOTE_SCHEMES = ("s3", "s3a")


def is_remote(path: Any) -> bool:
    """Whether ``path`` lives on an object store (a ``UPath`` other than a local one)."""
    return isinstance(path, UPath) and getattr(path, "protocol", "") in REMOTE_SCHEMES


def open_landing_root(value: str | os.PathLike) -> Path:
    """``s3://bucket/prefix`` as a ``UPath`` (s3fs); anything else as a local folder.

    Credentials never go in the URL: s3fs takes them from the standard AWS variables
    (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_PROFILE``) and the
    endpoint from ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL`` or the AWS config file."""
    text = os.fspath(value)
    scheme, sep, rest = text.partition("://")
    if not sep:
        return Path(text).expanduser().resolve()
    if scheme.lower() not in REMOTE_SCHEMES:
        raise FatalError(
            f"landing path: the scheme {scheme!r} is not supported (a local folder or s3://bucket/prefix)"
        )
    bucket = rest.split("/", 1)[0]
    if "@" in bucket or ":" in bucket:
        # the URL is not echoed: it may hold a secret
        raise FatalError(
            "landing path: put no credentials or port in the s3:// URL; set AWS_ACCESS_KEY_ID / "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and AWS_ENDPOINT_URL_S3 instead"
        )
    if not bucket:
        raise FatalError("landing path: s3:// needs a bucket (s3://bucket/prefix)")
    return UPath(f"s3://{rest.rstrip('/')}", **_s3_options())


def _s3_options() -> dict[str, Any]:
    # botocore reads AWS_ENDPOINT_URL(_S3) itself; passing it on keeps older s3fs releases right.
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return {"endpoint_url": endpoint} if endpoint else {}


def relative_name(landing_root: Path, path: Path) -> str:
    """``<resource>/<YYYY-MM>/<name>.jsonl``: a landing file's name under the root, on any storage."""
    if is_remote(landing_root):
        return path.path[len(landing_root.path.rstrip("/")) + 1 :]
    return path.relative_to(landing_root).as_posix()


@contextlib.contextmanager
def local_copy(path: Path) -> Iterator[tuple[Path, str, int]]:
    """``(local path, sha256, size)`` of a landing file for reading.

    A local file is read where it is. An object is downloaded once to a local temp file and hashed
    on the way, so the hash in the load ledger is the hash of the very bytes loaded."""
    if not is_remote(path):
        yield path, file_sha256(path), path.stat().st_size
        return
    data = path.fs.cat_file(path.path)  # one GET; a landing file is at most one 64 MB part
    fd, name = tempfile.mkstemp(prefix="tiemeter-landing-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        yield Path(name), hashlib.sha256(data).hexdigest(), len(data)
    finally:
        Path(name).unlink(missing_ok=True)


def sweep_landing(landing_root: Path, sweep_local) -> list[str]:
    """Remove temporary files or keys that no running writer will rename (``temp_files.sweep``)."""
    if not is_remote(landing_root):
        return [str(p) for p in sweep_local(landing_root)]
    now = datetime.now(UTC).timestamp()
    removed = []
    for key, info in _remote_find(landing_root, dot_names=True).items():
        name = key.rsplit("/", 1)[-1]
        if name.startswith(".") and is_debris_name(name, now - _mtime(info)):
            with contextlib.suppress(FileNotFoundError):
                landing_root.fs.rm_file(key)
            removed.append(key)
    return removed


def _remote_find(landing_root: Path, dot_names: bool = False) -> dict[str, dict[str, Any]]:
    fs = landing_root.fs
    fs.invalidate_cache()  # other hosts land files: never answer from an old listing
    try:
        found = fs.find(landing_root.path, detail=True)
    except FileNotFoundError:
        return {}
    return {k: v for k, v in found.items() if dot_names or not k.rsplit("/", 1)[-1].startswith(".")}


def _mtime(info: Mapping[str, Any]) -> float:
    when = info.get("LastModified") or info.get("mtime")
    if isinstance(when, datetime):
        return when.timestamp()
    return float(when or 0)


def write_landing_file(path: Path, lines: list[bytes]) -> Path:
    with LandingFile(path) as out:
        for line in lines:
            out.write_line(line)
        return out.commit()
