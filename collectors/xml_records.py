"""Stream the records of an XML export (WXR ``<item>``s, Disqus ``<thread>``/``<post>``s) as JSON objects.

Each record element becomes a dict in a fixed, lossless-enough shape: child elements by their
prefixed name (``wp:comment_id``), attributes as ``@name``, mixed text as ``#text``; repeated children
(or those named in ``lists``) become lists. The file is read in chunks and finished elements are
dropped, so a large export never sits in memory. The DOCTYPE is handled by ``tiemeter.collectors.xml_safety``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tiemeter.collectors.json_limits import MAX_NESTING, nesting_refusal
from tiemeter.collectors.xml_safety import find_doctype, make_safe

CHUNK = 1 << 20
MAX_DOCTYPE_DOCUMENT = 256 << 20  # a document with entity declarations is handled whole, so capped
# Namespace URIs whose prefix is fixed whatever the document declares (WXR has had several versions).
_FIXED_PREFIXES = (
    (re.compile(r"^http://wordpress\.org/export/\d+\.\d+/excerpt/$"), "excerpt"),
    (re.compile(r"^http://wordpress\.org/export/\d+\.\d+/$"), "wp"),
    (re.compile(r"^http://disqus\.com/disqus-internals$"), "dsq"),
    (re.compile(r"^http://disqus\.com$"), ""),
)


class XmlRecordError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Record:
    path: tuple[str, ...]  # prefixed names from the root to the record, e.g. ("rss", "channel", "item")
    value: Any  # a dict, or the text of an element without children or attributes


class _Names:
    def __init__(self) -> None:
        self.prefixes: dict[str, str] = {}

    def declare(self, prefix: str, uri: str) -> None:
        for pattern, fixed in _FIXED_PREFIXES:
            if pattern.match(uri):
                prefix = fixed
                break
        self.prefixes.setdefault(uri, prefix)

    def __call__(self, tag: str) -> str:
        if not tag.startswith("{"):
            return tag
        uri, local = tag[1:].split("}", 1)
        prefix = self.prefixes.get(uri, "")
        return f"{prefix}:{local}" if prefix else local


def element_to_json(element: ET.Element, names: _Names, lists: frozenset[str]) -> Any:
    children = list(element)
    attributes = {f"@{names(k)}": v for k, v in element.attrib.items()}
    if not children and not attributes:
        return element.text or ""
    value: dict[str, Any] = dict(attributes)
    for child in children:
        key = names(child.tag)
        item = element_to_json(child, names, lists)
        if key in lists:
            value.setdefault(key, []).append(item)
        elif key in value:
            previous = value[key]
            value[key] = [*previous, item] if isinstance(previous, list) else [previous, item]
        else:
            value[key] = item
    if element.text and element.text.strip():
        value["#text"] = element.text
    return value


def iter_records(
    path: Path, record_paths: set[tuple[str, ...]], lists: frozenset[str] = frozenset()
) -> Iterator[Record]:
    """Yield each element whose path is in ``record_paths``; raise ``XmlRecordError`` where parsing stops."""
    names = _Names()
    parser = ET.XMLPullParser(events=("start-ns", "start", "end"))
    stack: list[tuple[str, ET.Element]] = []
    try:
        for chunk in _safe_chunks(path):
            parser.feed(chunk)
            yield from _drain(parser, names, stack, record_paths, lists)
        parser.close()
        yield from _drain(parser, names, stack, record_paths, lists)
    except ET.ParseError as error:
        raise XmlRecordError(f"not well-formed XML: {error}", error.position[0]) from None


def _drain(parser, names: _Names, stack: list, record_paths, lists) -> Iterator[Record]:
    for event, item in parser.read_events():
        if event == "start-ns":
            names.declare(*item)
        elif event == "start":
            stack.append((names(item.tag), item))
            if len(stack) > MAX_NESTING:
                raise XmlRecordError(f"elements {nesting_refusal()}", None)
        else:
            path = tuple(name for name, _ in stack)
            stack.pop()
            if path in record_paths:
                yield Record(path, element_to_json(item, names, lists))
                if stack:  # drop the finished record so that memory stays flat
                    stack[-1][1].remove(item)


def _safe_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        head = handle.read(CHUNK)
        span = find_doctype(head)
        if span is None or b"<!ENTITY" not in head[span[0] : span[1]]:
            if span is not None:
                head = head[: span[0]] + head[span[1] :]
            yield head
            while chunk := handle.read(CHUNK):
                yield chunk
            return
        rest = handle.read(MAX_DOCTYPE_DOCUMENT + 1 - len(head))
    document = head + rest
    if len(document) > MAX_DOCTYPE_DOCUMENT:
        raise XmlRecordError(
            f"declares XML entities and is over {MAX_DOCTYPE_DOCUMENT:,} bytes; refused", None
        )
    yield make_safe(document, str(path)).data
