"""Make XML bytes safe to hand to a parser: the DOCTYPE goes, and entity bombs are refused.

feedparser re-inserts the "safe" entities of a DOCTYPE, and one such entity referenced many times
expands into hundreds of MB. So the whole DOCTYPE (with its internal subset) is removed before any
parser sees the bytes. Entities it declared are expanded here, by plain substitution, when the result
stays within a small budget; a document whose declared entities would expand past the budget is
refused with a clear reason. External entities are never fetched: their references stay undefined.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from tiemeter.errors import SkippableError

EXPANSION_BUDGET = 1 << 20  # bytes that entity substitution may add to a document
_PREDEFINED = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_ENTITY_DECL = re.compile(
    rb"<!ENTITY\s+(%\s+)?([^\s%\"'>]+)\s+(?:\"([^\"]*)\"|'([^']*)'|(?:SYSTEM|PUBLIC)[^>]*)\s*>", re.S
)
_REFERENCE = re.compile(rb"&([A-Za-z_:][A-Za-z0-9_.:-]*);")
_XML_DECL_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class EntityExpansionRefused(SkippableError):
    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SafeXml:
    data: bytes
    doctype_removed: bool = False
    entities_expanded: int = 0  # references replaced by the value their DOCTYPE declared


def transcode_to_utf8(data: bytes) -> bytes:
    """UTF-16/32 documents (recognised by their BOM) as UTF-8, so that byte-level scanning works."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            return _XML_DECL_ENCODING.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")
    return data


def find_doctype(data: bytes) -> tuple[int, int] | None:
    """(start, end) of the DOCTYPE declaration in the prolog, or None when there is none."""
    i = 0
    while True:
        j = data.find(b"<", i)
        if j < 0:
            return None
        if data.startswith(b"<?", j):
            end = data.find(b"?>", j + 2)
            if end < 0:
                return None
            i = end + 2
        elif data.startswith(b"<!--", j):
            end = data.find(b"-->", j + 4)
            if end < 0:
                return None
            i = end + 3
        elif data[j : j + 9].upper() == b"<!DOCTYPE":
            return j, _declaration_end(data, j + 9)
        else:
            return None  # the root element: no DOCTYPE can follow


def _declaration_end(data: bytes, i: int) -> int:
    """Index just after the '>' that closes a DOCTYPE, skipping quoted text, comments and the subset."""
    depth = 0
    quote = 0
    n = len(data)
    while i < n:
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):  # " '
            quote = c
        elif data.startswith(b"<!--", i):
            end = data.find(b"-->", i + 4)
            i = n if end < 0 else end + 3
            continue
        elif c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth = max(0, depth - 1)
        elif c == 0x3E and depth == 0:  # >
            return i + 1
        i += 1
    return n


def _declared_entities(doctype: bytes) -> dict[bytes, bytes | None]:
    """General entities of the internal subset: name -> literal value (None for external ones)."""
    entities: dict[bytes, bytes | None] = {}
    for match in _ENTITY_DECL.finditer(doctype):
        if match.group(1):  # a parameter entity: meaningless once the DOCTYPE is gone
            continue
        name = match.group(2)
        if name in _PREDEFINED or name in entities:  # XML: the first declaration binds
            continue
        value = match.group(3) if match.group(3) is not None else match.group(4)
        entities[name] = value
    return entities


def _expanded_lengths(entities: dict[bytes, bytes | None]) -> dict[bytes, int]:
    """Length of each entity once fully expanded; a cycle counts as over the budget."""
    lengths: dict[bytes, int] = {}
    visiting: set[bytes] = set()

    def length(name: bytes) -> int:
        if name in lengths:
            return lengths[name]
        value = entities.get(name)
        if value is None:
            return 0
        if name in visiting:
            return EXPANSION_BUDGET + 1
        visiting.add(name)
        total = len(value)
        for ref in _REFERENCE.finditer(value):
            inner = ref.group(1)
            if inner in entities:
                total += length(inner) - len(ref.group(0))
            if total > EXPANSION_BUDGET:
                break
        visiting.discard(name)
        lengths[name] = min(total, EXPANSION_BUDGET + 1)
        return lengths[name]

    for name in entities:
        length(name)
    return lengths


def make_safe(data: bytes, source: str) -> SafeXml:
    """Remove the DOCTYPE; expand what it declared if small, else raise ``EntityExpansionRefused``."""
    data = transcode_to_utf8(data)
    span = find_doctype(data)
    if span is None:
        return SafeXml(data)
    start, end = span
    entities = _declared_entities(data[start:end])
    body = data[:start] + data[end:]
    if not entities:
        return SafeXml(body, doctype_removed=True)
    lengths = _expanded_lengths(entities)
    counts = {name: body.count(b"&" + name + b";") for name in entities}
    growth = sum(counts[name] * lengths[name] for name in entities if entities[name] is not None)
    if growth > EXPANSION_BUDGET:
        worst = max(entities, key=lambda name: counts[name] * lengths[name])
        reason = (
            f"refused: the DOCTYPE declares entities that would expand to more than "
            f"{EXPANSION_BUDGET:,} bytes (entity '{worst.decode(errors='replace')}' of "
            f"{lengths[worst]:,} bytes is referenced {counts[worst]:,} times); an entity-expansion bomb?"
        )
        raise EntityExpansionRefused(f"{source}: {reason}", reason)
    values = _resolve_values(entities)
    replaced = 0

    def substitute(match: re.Match) -> bytes:
        nonlocal replaced
        value = values.get(match.group(1))
        if value is None:
            return match.group(0)
        replaced += 1
        return value

    return SafeXml(_REFERENCE.sub(substitute, body), doctype_removed=True, entities_expanded=replaced)


def _resolve_values(entities: dict[bytes, bytes | None]) -> dict[bytes, bytes]:
    """Fully expanded literal values (already known to fit the budget)."""
    resolved: dict[bytes, bytes] = {}

    def resolve(name: bytes, seen: frozenset[bytes]) -> bytes | None:
        if name in resolved:
            return resolved[name]
        value = entities.get(name)
        if value is None or name in seen:
            return None
        out = _REFERENCE.sub(lambda m: resolve(m.group(1), seen | {name}) or m.group(0), value)
        resolved[name] = out
        return out

    for name in entities:
        resolve(name, frozenset())
    return resolved
