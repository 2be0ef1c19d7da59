"""``tiemeter import feed FILE|URL``: one feed document (a saved feed, or one fetched once) for backfill.

The file (or the body fetched) is landed like a collected feed, named by its sha256 so that importing
it again changes nothing. Whether it is a posts or a comments feed is guessed (``tiemeter.collectors.feeds.guess_kind``)
unless told. A feed saved to disk has lost its URL: ``base_url`` resolves its relative links.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from tiemeter.collectors.feed_parse import REFUSALS, parse_feed
from tiemeter.collectors.feeds import RESOURCE, feed_stamp, fetch_feed, guess_kind
from tiemeter.collectors.http import HttpClient, redact_url
from tiemeter.collectors.imports import ImportResult, find_landed, import_landing_name
from tiemeter.collectors.quarantine import Quarantine, Rejection
from tiemeter.errors import SkippableError
from tiemeter.landing import LandingFile, landing_path

MAX_FEED_BYTES = 20 << 20


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_feed_source(source: str, client: HttpClient | None) -> tuple[bytes, str | None, str]:
    """(bytes, base URL, content type) of a file or a URL."""
    if is_url(source):
        fetch = fetch_feed(client or HttpClient(), source)
        return fetch.body, fetch.final_url or source, fetch.content_type
    path = Path(source)
    if not path.is_file():
        raise SkippableError(f"{source}: no such file")
    if path.stat().st_size > MAX_FEED_BYTES:
        raise SkippableError(
            f"{source}: {path.stat().st_size:,} bytes is over the {MAX_FEED_BYTES:,}-byte cap"
        )
    return path.read_bytes(), None, ""


def import_feed(
    source: str,
    landing_root: Path,
    run_id: str,
    *,
    site_for: Callable[[str | None], str],
    kind: str | None = None,
    base_url: str | None = None,
    client: HttpClient | None = None,
) -> ImportResult:
    shown = redact_url(source) if is_url(source) else source
    result = ImportResult(shown)
    try:
        data, fetched_from, content_type = read_feed_source(source, client)
    except SkippableError as error:
        result.rejected.append(Rejection(shown, None, str(error).removeprefix(f"{shown}: ")))
        return result
    sha = hashlib.sha256(data).hexdigest()
    name = import_landing_name("feed", sha)
    existing = find_landed(landing_root, name)
    if existing:
        result.already_imported, result.landed = True, existing
        return result
    base = base_url or fetched_from
    try:
        parsed = parse_feed(data, shown, base_url=base, content_type=content_type)
    except REFUSALS as error:
        quarantine = Quarantine(landing_root, run_id, name, [Rejection(shown, None, error.reason, data)])
        result.rejected = quarantine.rejections
        result.landed.append(quarantine.commit("feed"))
        return result
    feed = parsed.document.get("feed") or {}
    stamp = feed_stamp(
        run_id,
        site_for(base or feed.get("link")),
        kind or guess_kind(parsed),
        source if is_url(source) else str(Path(source).resolve()),
        endpoint="import",
        import_sha256=sha,
        source_file=shown,
    )
    with LandingFile(landing_path(landing_root, RESOURCE, name)) as out:
        out.write_object(parsed.document, stamp)
        result.landed.append(out.commit())
    result.items = len(parsed.entries)
    return result
