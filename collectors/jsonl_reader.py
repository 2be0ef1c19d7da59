"""Read a JSONL file line by line, never holding more than one line, and say exactly what is wrong
with each line that cannot be used.

Lines are validated with simdjson, which parses without building Python objects (about 30 times
faster than ``json`` on API pages); the caller's ``inspect`` function looks at the parsed document
while it is alive and returns what it needs from it. A bad line is parsed again with orjson only to
word the error message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import simdjson

from tiemeter.collectors.quarantine import Rejection
from tiemeter.errors import SkippableError

# A file whose first lines are all unreadable is not JSONL at all (a CSV, a pretty-printed
# document); refusing it whole beats quarantining every one of its lines.
GIVE_UP_AFTER_LEADING_BAD_LINES = 5
WHOLE_DOCUMENT_MAX_BYTES = 256 << 20
MAX_DEPTH = 1024
PROGRESS_EVERY_LINES = 64  # simdjson's default limit, and orjson's


@dataclass(frozen=True)
class JsonLine:
    line: int
    raw: bytes  # the line's bytes, without the line break
    value: Any  # what ``inspect`` returned for the line


def _orjson_error(body: bytes) -> json.JSONDecodeError | None:
    try:
        orjson.loads(body)
    except orjson.JSONDecodeError as error:
        return error
    return None


def _limit_reason(error: Exception) -> str:
    """simdjson's BIGINT_ERROR, NUMBER_ERROR and DEPTH_ERROR, in words: values the warehouse cannot hold."""
    text = str(error)
    if "BIGINT" in text:
        return "an integer does not fit in 64 bits (the warehouse stores counts and ids as BIGINT)"
    if "NUMBER_ERROR" in text:  # 2^64 up to 20 digits, and numbers past a double's range
        return (
            "a number out of range: an integer over 64 bits or beyond a double (the warehouse cannot hold it)"
        )
    if "DEPTH" in text:
        return f"nested deeper than {MAX_DEPTH} levels (no X API page is)"
    return f"not usable JSON: {text}"


def _describe(error: json.JSONDecodeError, raw: bytes, is_last: bool, has_newline: bool) -> str:
    text = raw.strip()
    if not text:
        return "blank line"
    at_end = error.pos >= len(text) - 1 or "end of data" in error.msg or "EOF" in error.msg
    if at_end and is_last and not has_newline:
        return (
            f"truncated last line: the JSON ends after {len(text)} bytes, mid-value (an interrupted write?)"
        )
    if at_end:
        return f"truncated JSON: the line ends after {len(text)} bytes, mid-value"
    return f"not JSON: {error.msg} at byte {error.pos}"


def read_json_lines(
    path: Path,
    inspect: Callable[[Any], Any] = lambda doc: None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[JsonLine | Rejection]:
    """Yield a ``JsonLine`` for each usable line and a ``Rejection`` for each bad one.

    ``inspect(doc)`` sees each parsed document (a simdjson object) and may raise a
    ``SkippableError`` to refuse the line. Blank lines are skipped silently, as JSONL readers do.
    ``on_bytes(n)`` hears how far into the file the reader is, every few lines (progress).
    """
    parser = simdjson.Parser()
    name = str(path)
    size = path.stat().st_size
    if size == 0:
        yield Rejection(name, None, "empty file: 0 bytes, nothing to import")
        return
    good = 0
    leading_bad: list[Rejection] = []
    with open(path, "rb") as handle:
        pending = handle.readline()
        lineno = 0
        while pending:
            lineno += 1
            raw = pending
            pending = handle.readline()
            if on_bytes is not None and lineno % PROGRESS_EVERY_LINES == 0:
                on_bytes(handle.tell())
            has_newline = raw.endswith(b"\n")
            body = raw.rstrip(b"\r\n")
            if not body.strip():
                continue
            refusal = number_error = None
            try:
                doc = parser.parse(body)
            except ValueError as invalid:
                doc, number_error = None, invalid if "NUMBER_ERROR" in str(invalid) else None
            except RuntimeError as limit:  # simdjson's own limits: numbers over 64 bits, nesting depth
                doc, refusal = None, _limit_reason(limit)
            error = _orjson_error(body) if doc is None and refusal is None else None
            if number_error is not None and (error is None or "infinity" in error.msg):
                # orjson would read 2^64 as a float: a number simdjson cannot hold is refused, not rounded
                error, refusal = None, _limit_reason(number_error)
            if doc is None and error is None and refusal is None:  # simdjson is stricter than orjson
                doc = orjson.loads(body)
            if refusal is not None:
                yield Rejection(name, lineno, refusal, body)
                continue
            if error is not None:
                rejection = Rejection(name, lineno, _describe(error, body, not pending, has_newline), body)
                if good == 0:
                    leading_bad.append(rejection)
                    if len(leading_bad) >= GIVE_UP_AFTER_LEADING_BAD_LINES:
                        yield from _whole_document_or_refusal(path, size, leading_bad, inspect)
                        return
                    continue
                yield rejection
                continue
            if leading_bad:
                yield from leading_bad
                leading_bad = []
            good += 1
            try:
                value = inspect(doc)
            except SkippableError as refused:
                yield Rejection(name, lineno, str(refused), body)
                continue
            finally:
                del doc  # simdjson reuses its parser only once the document is released
            yield JsonLine(lineno, body, value)
    if on_bytes is not None:
        on_bytes(size)
    if leading_bad:
        if lineno > 1 and good == 0:
            yield from _whole_document_or_refusal(path, size, leading_bad, inspect)
        else:
            yield from leading_bad


def _whole_document_or_refusal(
    path: Path, size: int, bad: list[Rejection], inspect: Callable[[Any], Any]
) -> Iterator[JsonLine | Rejection]:
    """The first lines failed: maybe the file is one pretty-printed JSON document; else refuse it whole."""
    if size <= WHOLE_DOCUMENT_MAX_BYTES:
        data = path.read_bytes()
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        else:
            try:
                summary = inspect(value)
            except SkippableError as refused:
                yield Rejection(str(path), 1, str(refused), data)
                return
            # Re-serialised on one line: a landing line must not contain line breaks.
            yield JsonLine(1, orjson.dumps(value), summary)
            return
    first = bad[0]
    looks = (
        " (it looks like CSV)"
        if first.raw and first.raw.count(b",") >= 2 and b"{" not in first.raw[:1]
        else ""
    )
    yield Rejection(
        str(path),
        None,
        f"not JSONL{looks}: the first {len(bad)} lines are not JSON (line {first.line}: {first.reason})",
        None,
    )
