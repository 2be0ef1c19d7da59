"""The WordPress REST API: ``/wp-json/wp/v2/posts`` and ``/comments``, 100 per page, ``X-WP-TotalPages``.

Each page is landed untouched (the JSON array becomes ``items`` beside the ``__tiemeter`` stamp).
Runs are incremental: posts by ``modified_after``, comments by ``after``, from the latest value seen.
Both are compared with the site's local time by WordPress, so the cursor keeps the local ``modified`` /
``date`` fields. Pages are asked for oldest first, so a run cut short still moves the cursor correctly.

Unauthenticated requests only list approved comments of type ``comment``: pingbacks and trackbacks
come from the comment feeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from tiemeter.collectors.http import HttpClient, SkippableHttpError, redact_url
from tiemeter.errors import TiemeterError
from tiemeter.landing import BLOG_WP_API, provenance

RESOURCE = BLOG_WP_API
SOURCE = "wordpress"
PER_PAGE = 100
MAX_PAGES = 10_000


@dataclass(frozen=True)
class Listing:
    kind: str  # posts | comments
    cursor_param: str  # the query parameter that makes the run incremental
    cursor_field: str  # the item field whose latest value becomes the next cursor
    params: dict[str, str]


LISTINGS = (
    Listing(
        "posts", "modified_after", "modified", {"orderby": "modified", "order": "asc", "_embed": "author"}
    ),
    Listing("comments", "after", "date", {"orderby": "date", "order": "asc"}),
)


@dataclass
class WordPressRun:
    cursor: dict[str, str]
    pages: int = 0
    items: int = 0
    failures: list[str] = field(default_factory=list)


def api_base(site_url: str) -> str:
    return site_url.rstrip("/") + "/wp-json/wp/v2"


def collect_wordpress(
    client: HttpClient,
    *,
    site: str,
    site_url: str,
    cursor: dict[str, str],
    run_id: str,
    write_line: Callable[[bytes], None],
) -> WordPressRun:
    """Land every new page of posts and comments; return the cursor the landed pages justify."""
    run = WordPressRun(dict(cursor))
    for listing in LISTINGS:
        try:
            _collect_listing(client, listing, site, api_base(site_url), run, run_id, write_line)
        except TiemeterError as error:
            run.failures.append(str(error))
    return run


def _collect_listing(client, listing: Listing, site, base, run: WordPressRun, run_id, write_line) -> None:
    url = f"{base}/{listing.kind}"
    since = run.cursor.get(listing.kind)
    page = 1
    while page <= MAX_PAGES:
        params = {**listing.params, "per_page": str(PER_PAGE), "page": str(page)}
        if since:
            params[listing.cursor_param] = since
        response = client.get(url, params=params, rate_key=f"wordpress:{base}")
        if response.status_code == 400 and page > 1 and b"rest_post_invalid_page_number" in response.content:
            return  # the total shrank while paging
        if response.status_code != 200:
            raise SkippableHttpError(
                f"{redact_url(url)}?page={page}: HTTP {response.status_code} {response.reason}",
                url=redact_url(url),
                status=response.status_code,
            )
        items = _items(response.content, url, page)
        if not items and page == 1:
            return
        total_pages = _int_header(response.headers.get("X-WP-TotalPages"))
        stamp = provenance(
            source=SOURCE,
            endpoint=listing.kind,
            run_id=run_id,
            params=params,
            kind=listing.kind,
            site=site,
            api_base=redact_url(base),
            total=_int_header(response.headers.get("X-WP-Total")),
            total_pages=total_pages,
        )
        # re-serialised only to fit on one JSONL line: the same JSON values, untouched
        write_line(orjson.dumps({"__tiemeter": stamp, "items": items}))
        run.pages += 1
        run.items += len(items)
        latest = max((str(i.get(listing.cursor_field) or "") for i in items), default="")
        if latest and latest > (run.cursor.get(listing.kind) or ""):
            run.cursor[listing.kind] = latest
        if not items or total_pages is None or page >= total_pages:
            return
        page += 1


def _items(body: bytes, url: str, page: int) -> list[dict[str, Any]]:
    try:
        items = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise SkippableHttpError(f"{redact_url(url)}?page={page}: not JSON: {error}", url=url) from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SkippableHttpError(
            f"{redact_url(url)}?page={page}: expected a JSON array of objects, got {type(items).__name__}",
            url=url,
        )
    return items


def _int_header(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None
