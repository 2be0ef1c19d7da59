"""Feed bytes -> one JSON-ready parsed document (feedparser's), or a rejection with the parser's reason.

The landed document is feedparser's result made JSON-safe: ``*_parsed`` times become ISO 8601 UTC
strings, ``bozo_exception`` becomes text, and ``*_detail.value`` (a copy of the field it details)
is dropped. JSON Feed, which this feedparser release does not read, is mapped onto the same entry keys.

feedparser gets a file object, never the bytes themselves: given bytes it first tries them as a
local file name, and a hostile server could make it read one.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any

import charset_normalizer
import feedparser
import orjson
from feedparser.datetimes import _parse_date

from tiemeter.collectors.json_limits import nesting_refusal, too_deep
from tiemeter.collectors.xml_safety import EntityExpansionRefused, make_safe
from tiemeter.errors import SkippableError

JSON_FEED_PREFIX = "https://jsonfeed.org/version/"
_XML_TYPES = ("xml", "rss", "atom", "rdf")


class FeedRejected(SkippableError):
    """The bytes are not a usable feed; ``reason`` is the parser's."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


# What parse_feed raises for bad input; each carries the parser's ``reason`` for the quarantine.
REFUSALS = (FeedRejected, EntityExpansionRefused)


@dataclass(frozen=True)
class ParsedFeed:
    document: dict[str, Any]  # version, bozo, bozo_exception, encoding, feed, entries, ...

    @property
    def entries(self) -> list[dict[str, Any]]:
        return self.document["entries"]

    @property
    def bozo_reason(self) -> str | None:
        return self.document.get("bozo_exception")


def parse_feed(
    data: bytes, source: str, *, base_url: str | None = None, content_type: str = ""
) -> ParsedFeed:
    """Parse feed bytes; raise ``FeedRejected`` (or ``EntityExpansionRefused``) naming ``source``."""
    if not data.strip():
        raise FeedRejected(f"{source}: empty document", "empty document")
    if data.lstrip()[:1] == b"{":
        return _parse_json_feed(data, source)
    safe = make_safe(data, source)
    headers = {"content-location": base_url} if base_url else {}
    if any(t in content_type.lower() for t in _XML_TYPES):
        headers["content-type"] = content_type
    result = _feedparser(safe.data, headers)
    detected = None
    if isinstance(result.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        detected = _detect_charset(safe.data)
        if detected:
            retry = _feedparser(
                safe.data, {**headers, "content-type": f"application/xml; charset={detected}"}
            )
            if not retry.get("bozo") or len(retry.entries) >= len(result.entries):
                result = retry
    document = _to_json(result)
    document["bozo"] = bool(document.get("bozo"))
    document["doctype_removed"] = safe.doctype_removed
    document["entities_expanded"] = safe.entities_expanded
    document["encoding_detected"] = detected
    _check_usable(document, source, content_type)
    return ParsedFeed(document)


def _feedparser(data: bytes, headers: dict[str, str]) -> feedparser.FeedParserDict:
    return feedparser.parse(io.BytesIO(data), response_headers=headers)


def _detect_charset(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data[: 1 << 20]).best()
    return best.encoding if best else None


def _check_usable(document: dict[str, Any], source: str, content_type: str) -> None:
    """An ill-formed feed is kept when feedparser recovered identifiable entries (a link or an id)."""
    entries = document["entries"]
    if entries and (not document.get("bozo") or any(e.get("link") or e.get("id") for e in entries)):
        return
    reason = document.get("bozo_exception")
    if not document.get("version"):
        sent = f" (the server sent {content_type})" if content_type else ""
        # feedparser's NonXMLContentType only says that no XML type was passed to it
        detail = f": {reason}" if reason and not reason.startswith("NonXMLContentType") else ""
        why = f"not an RSS, Atom or JSON feed{sent}{detail}"
        raise FeedRejected(f"{source}: {why}", why)
    if document.get("bozo"):
        raise FeedRejected(f"{source}: ill-formed feed, nothing recoverable: {reason}", reason or "bozo")


def _bozo_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _to_json(value: Any, key: str = "") -> Any:
    if isinstance(value, time.struct_time):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "bozo_exception":
                out[k] = _bozo_text(v)
            elif k == "value" and key.endswith("_detail"):
                continue  # the same text as the field it details
            else:
                out[str(k)] = _to_json(v, str(k))
        return out
    if isinstance(value, list | tuple):
        return [_to_json(v, key) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# -- JSON Feed -----------------------------------------------------------------------------------


def _parse_json_feed(data: bytes, source: str) -> ParsedFeed:
    try:
        doc = orjson.loads(data)  # C, and refuses nesting past 1,024 levels instead of recursing
    except orjson.JSONDecodeError as error:
        if "depth limit" in str(error):
            raise FeedRejected(f"{source}: {nesting_refusal()}", nesting_refusal()) from None
        raise FeedRejected(f"{source}: JSON, but not valid: {error}", f"invalid JSON: {error}") from None
    if too_deep(doc):
        raise FeedRejected(f"{source}: {nesting_refusal()}", nesting_refusal())
    version = doc.get("version") if isinstance(doc, dict) else None
    if not (isinstance(version, str) and version.startswith(JSON_FEED_PREFIX)) or not isinstance(
        doc.get("items"), list
    ):
        raise FeedRejected(
            f"{source}: JSON, but not a JSON Feed (no jsonfeed.org version and items)", "not a JSON Feed"
        )
    feed_author = _json_feed_author(doc)
    entries = [_json_feed_item(item, feed_author) for item in doc["items"] if isinstance(item, dict)]
    return ParsedFeed(
        {
            "version": "json" + version.removeprefix(JSON_FEED_PREFIX).replace(".", ""),
            "bozo": False,
            "bozo_exception": None,
            "encoding": "utf-8",
            "feed": {
                "title": _string(doc.get("title")),
                "link": _string(doc.get("home_page_url")),
                "links": [{"rel": "self", "href": doc["feed_url"]}] if _string(doc.get("feed_url")) else [],
                "author": feed_author.get("name"),
                "author_detail": feed_author,
            },
            "entries": entries,
            "doctype_removed": False,
            "entities_expanded": 0,
            "encoding_detected": None,
        }
    )


def _string(value: Any) -> str | None:
    """A JSON Feed text field, or None when the feed put something else there (a number, an object)."""
    return value if isinstance(value, str) else None


def _json_feed_author(obj: dict[str, Any]) -> dict[str, Any]:
    author = obj.get("author")
    authors = obj.get("authors")
    if not author and isinstance(authors, list) and authors:
        author = authors[0]
    if not isinstance(author, dict):
        return {}
    fields = {"name": _string(author.get("name")), "href": _string(author.get("url"))}
    return {k: v for k, v in fields.items() if v}


def _json_feed_item(item: dict[str, Any], feed_author: dict[str, Any]) -> dict[str, Any]:
    author = _json_feed_author(item) or feed_author
    html, text = _string(item.get("content_html")), _string(item.get("content_text"))
    item_id = item.get("id")  # a string; version 1.0 feeds may give a number
    tags = item.get("tags")
    entry: dict[str, Any] = {
        "id": str(item_id) if isinstance(item_id, str | int) and not isinstance(item_id, bool) else None,
        "link": _string(item.get("url")),
        "title": _string(item.get("title")),
        "author": author.get("name"),
        "author_detail": author,
        "summary": _string(item.get("summary")) or text or html,
        "content": [{"type": "text/html" if html is not None else "text/plain", "value": html or text}],
        "tags": [{"term": t} for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
    }
    for key, field in (("published", "date_published"), ("updated", "date_modified")):
        when = _string(item.get(field))
        if when:
            entry[key] = when
            parsed = _parse_date(when)
            entry[f"{key}_parsed"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else None
    return entry
