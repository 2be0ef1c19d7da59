"""RSS / Atom / JSON feeds: fetch (conditional GET through ``tiemeter.collectors.http``), parse, and land one line.

A landed line is feedparser's parsed document (see ``tiemeter.collectors.feed_parse``) with the fetch's
metadata in its ``__tiemeter`` stamp: ``kind`` (posts | comments), ``site``, ``feed_url``, ``post_url``
(for a post's own comment feed) and ``http`` (status, content type, bytes, validators).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from tiemeter.collectors.feed_parse import ParsedFeed, parse_feed
from tiemeter.collectors.http import HttpClient, SkippableHttpError, Validators, redact_url
from tiemeter.landing import BLOG_FEEDS, provenance

RESOURCE = BLOG_FEEDS
SOURCE = "feed"
POSTS, COMMENTS = "posts", "comments"
_COMMENT_LINK = re.compile(r"#comment-\d+$|[?&]showComment=\d+|#c\d+$")
_FEED_TYPES = ("atom", "rss", "xml", "json")


@dataclass
class FeedFetch:
    url: str
    status: int
    validators: Validators
    body: bytes = b""
    content_type: str = ""
    final_url: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def http_meta(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "content_type": self.content_type,
            "bytes": len(self.body),
            **self.validators.as_dict(),
        }


def fetch_feed(client: HttpClient, url: str, validators: Validators | None = None) -> FeedFetch:
    """GET a feed; with ``validators`` the request is conditional and a 304 comes back as such."""
    validators = validators or Validators()
    response: requests.Response = client.get(url, headers=validators.headers(), rate_key=f"feed:{url}")
    if response.status_code == 304:
        return FeedFetch(url, 304, validators)
    if response.status_code != 200:
        raise SkippableHttpError(
            f"{redact_url(url)}: HTTP {response.status_code} {response.reason}: expected a feed",
            url=redact_url(url),
            status=response.status_code,
        )
    return FeedFetch(
        url,
        200,
        Validators.from_response(response),
        body=response.content,
        content_type=response.headers.get("Content-Type", ""),
        final_url=response.url,
    )


def parse_fetched(fetch: FeedFetch) -> ParsedFeed:
    return parse_feed(
        fetch.body,
        redact_url(fetch.url),
        base_url=redact_url(fetch.final_url or fetch.url),
        content_type=fetch.content_type,
    )


def feed_stamp(
    run_id: str, site: str, kind: str, feed_url: str, post_url: str | None = None, *, endpoint="feed", **extra
) -> dict[str, Any]:
    """The provenance stamp of a landed feed document (its URL redacted)."""
    feed = {"kind": kind, "site": site, "feed_url": redact_url(feed_url), "post_url": post_url}
    return provenance(source=SOURCE, endpoint=endpoint, run_id=run_id, **feed, **extra)


def entry_post_url(entry: dict[str, Any]) -> str | None:
    """The post an entry of a posts feed is about (FeedBurner hides it behind a redirect link)."""
    return entry.get("feedburner_origlink") or entry.get("link") or None


def comment_feed_of(entry: dict[str, Any]) -> str | None:
    """A post's own comment feed: ``wfw:commentRss``, else an Atom ``replies`` link to a feed."""
    url = entry.get("wfw_commentrss")
    if url:
        return url
    for link in entry.get("links") or []:
        if link.get("rel") == "replies" and any(t in (link.get("type") or "") for t in _FEED_TYPES):
            return link.get("href")
    return None


def comment_feeds(parsed: ParsedFeed) -> dict[str, str]:
    """{post URL: its comment feed URL} for the entries of a posts feed."""
    found = {}
    for entry in parsed.entries:
        post, feed = entry_post_url(entry), comment_feed_of(entry)
        if post and feed and feed.startswith(("http://", "https://")) and " " not in feed:
            found[post] = feed
    return found


def guess_kind(parsed: ParsedFeed) -> str:
    """posts or comments, for a feed given without saying which (``tiemeter import feed``)."""
    feed = parsed.document.get("feed") or {}
    title = (feed.get("title") or "").strip().lower()
    if title.startswith(("comments on", "comments for", "comentarios", "commenti", "kommentare")):
        return COMMENTS
    if (feed.get("id") or "").endswith("comments"):
        return COMMENTS
    for entry in parsed.entries:
        if entry.get("thr_in-reply-to") or _COMMENT_LINK.search(entry.get("link") or entry.get("id") or ""):
            return COMMENTS
    return POSTS


def next_page_url(parsed: ParsedFeed, page_url: str) -> str | None:
    """The RFC 5005 ``rel="next"`` page of a paged feed, on the same host; else None."""
    for link in (parsed.document.get("feed") or {}).get("links") or []:
        if link.get("rel") == "next" and link.get("href"):
            url = urljoin(page_url, link["href"])
            if urlsplit(url).netloc == urlsplit(page_url).netloc and url.startswith(("http://", "https://")):
                return url
    return None
