"""Which ``[[blogs]]`` name (the ``site`` of every blog row) an imported file belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from tiemeter.config import Blog


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url.strip()).hostname
    return host.lower() if host else None


def resolve_site(explicit: str | None, url: str | None, blogs: Iterable[Blog] = ()) -> str:
    """``--site``, else the blog whose site or feed URL has the same host, else the host itself."""
    if explicit:
        return explicit
    host = host_of(url)
    if host is None:
        return "unknown"
    bare = host.removeprefix("www.")
    for blog in blogs:
        for known in (blog.site_url, blog.feed_url):
            if (host_of(known) or "").removeprefix("www.") == bare:
                return blog.name
    return host
