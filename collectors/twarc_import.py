"""``tiemeter import twarc``: twarc2 JSONL (raw API pages or flattened tweets) into the landing zone.

Each good line is landed with its original bytes and twarc's ``__twarc`` stamp untouched; only a
``__tiemeter`` key is added in front. Bad lines go to quarantine with file, line and reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from tiemeter.collectors.imports import ImportResult, finish_import, start_import
from tiemeter.collectors.jsonl_reader import JsonLine, read_json_lines
from tiemeter.collectors.quarantine import Quarantine, Rejection
from tiemeter.collectors.x_shapes import ARRAY_TYPES, OBJECT_TYPES, classify_page, endpoint_from_url
from tiemeter.landing import (
    PROVENANCE_KEY,
    X_API_PAGES,
    RollingLandingFile,
    provenance,
    stamp_object,
    stamp_raw_object,
)

RESOURCE = X_API_PAGES
SOURCE = "twarc"


@dataclass(frozen=True)
class PageSummary:
    kind: str
    twarc_url: str | None
    twarc_retrieved_at: str | None
    has_stamp: bool
    tweets: int = 0
    users: int = 0


def _length(value) -> int:
    return len(value) if isinstance(value, ARRAY_TYPES) else 0


def inspect_page(doc) -> PageSummary:
    """Classify a parsed line (raises ``ShapeError``) and keep the little the landing stamp needs."""
    kind = classify_page(doc)
    twarc = doc.get("__twarc")
    twarc = twarc if isinstance(twarc, OBJECT_TYPES) else {}
    url, retrieved = twarc.get("url"), twarc.get("retrieved_at")
    includes = doc.get("includes") if kind != "flat_tweet" else None
    includes = includes if isinstance(includes, OBJECT_TYPES) else {}
    data = doc.get("data") if kind in ("tweets", "users") else None
    items = _length(data) or (1 if isinstance(data, OBJECT_TYPES) else 0)
    return PageSummary(
        kind=kind,
        twarc_url=url if isinstance(url, str) else None,
        twarc_retrieved_at=retrieved if isinstance(retrieved, str) else None,
        has_stamp=PROVENANCE_KEY in doc,
        tweets=(items if kind == "tweets" else kind == "flat_tweet") + _length(includes.get("tweets")),
        users=(items if kind == "users" else 0) + _length(includes.get("users")),
    )


def _stamp(line: JsonLine, run_id: str, source_file: str) -> dict:
    page: PageSummary = line.value
    return provenance(
        source=SOURCE,
        endpoint=endpoint_from_url(page.twarc_url) or f"twarc:{page.kind}",
        run_id=run_id,
        # The time the API answered, when twarc recorded it: metric snapshots are dated by it.
        retrieved_at=page.twarc_retrieved_at,
        kind=page.kind,
        source_file=source_file,
        source_line=line.line,
    )


def import_twarc_file(
    path: Path, landing_root: Path, run_id: str, progress: Callable[..., None] | None = None
) -> ImportResult:
    """Land a twarc2 JSONL file. ``progress(bytes_read, tweets=..., users=...)`` hears how far it is."""
    path = Path(path)
    source_file = str(path)
    start = start_import(path, landing_root, "twarc")
    if start.done:
        return start.result
    result, name = start.result, start.name

    quarantine = Quarantine(landing_root, run_id, name)
    on_bytes = (lambda done: progress(done, tweets=result.tweets, users=result.users)) if progress else None
    with RollingLandingFile(landing_root, RESOURCE, name) as out:
        for item in read_json_lines(path, inspect_page, on_bytes):
            if isinstance(item, Rejection):
                quarantine.add(item)
                continue
            result.tweets += item.value.tweets
            result.users += item.value.users
            stamp = _stamp(item, run_id, source_file)
            if item.value.has_stamp:  # a landing file given back to import: replace the old stamp
                out.write_line(stamp_object(orjson.loads(item.raw), stamp))
            else:
                out.write_line(stamp_raw_object(item.raw, stamp))
        result.landed.extend(out.commit())
        result.items = out.lines
    return finish_import(result, quarantine, SOURCE)
