"""``tiemeter import conversions FILE.csv``: donations, sales or sign-ups, one row each.

Columns: person keys ``email``, ``x_handle``, ``name``, ``url`` (any may be empty or missing),
``amount``, ``currency``, ``occurred_at`` (ISO 8601) and an optional ``campaign`` (a campaign name
or URL). Other columns are kept as ``extra``. A row with a bad amount or time (see
``tiemeter.collectors.conversions_values``) or a NUL byte is quarantined with its line; the others load.
The file is UTF-8 (a BOM is allowed) unless an encoding is given.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from tiemeter.collectors.conversions_values import BadValue, parse_amount, parse_time
from tiemeter.collectors.imports import ImportResult, finish_import, start_import
from tiemeter.collectors.quarantine import Quarantine, Rejection
from tiemeter.landing import CONVERSIONS, RollingLandingFile, provenance

RESOURCE = CONVERSIONS
SOURCE = "conversions_csv"
KEY_COLUMNS = ("email", "x_handle", "name", "url")
STANDARD_COLUMNS = (*KEY_COLUMNS, "amount", "currency", "occurred_at", "campaign")
REQUIRED_COLUMNS = ("amount", "occurred_at")


def _parsed(row: dict[str, str], separator: str | None) -> dict[str, str]:
    """The amount and time as the models read them; ``BadValue`` when a cell cannot be."""
    if any("\x00" in value for value in row.values()):
        raise BadValue("the row holds a NUL byte")
    return {
        "amount": str(parse_amount(row.get("amount", ""), separator)),
        "occurred_at": parse_time(row.get("occurred_at", "")).isoformat(),
    }


def conversions_importer(decimal_separator: str | None = None, encoding: str = "utf-8-sig"):
    """``import_conversions_file`` with the file's declared decimal separator and encoding."""
    return functools.partial(import_conversions_file, decimal_separator=decimal_separator, encoding=encoding)


def import_conversions_file(
    path: Path,
    landing_root: Path,
    run_id: str,
    *,
    decimal_separator: str | None = None,
    encoding: str = "utf-8-sig",
) -> ImportResult:
    path = Path(path)
    # The options are part of what was imported: the same file read with a declared separator or
    # another encoding is a new import, whose rows replace the earlier reading's (same file, line).
    options = "".join(
        f"-{tag}{value}"
        for tag, value in (
            ("dec", {",": "comma", ".": "dot"}.get(decimal_separator or "")),
            ("enc", encoding),
        )
        if value and value != "utf-8-sig"
    )
    start = start_import(path, landing_root, "conversions" + options)
    if start.done:
        return start.result
    result, name = start.result, start.name
    quarantine = Quarantine(landing_root, run_id, name)
    try:
        return _import_rows(
            path, start.sha, landing_root, run_id, result, quarantine, decimal_separator, encoding
        )
    except UnicodeDecodeError as error:
        quarantine.rejections = []
        result.landed, result.items = [], 0
        quarantine.add(
            Rejection(
                str(path),
                None,
                f"not readable as {encoding.removesuffix('-sig')}: byte 0x{error.object[error.start]:02x} "
                f"at offset {error.start} (save the file as UTF-8, or give its encoding with --encoding)",
            )
        )
        return finish_import(result, quarantine, SOURCE)


def _import_rows(path, sha, landing_root, run_id, result, quarantine, separator, encoding) -> ImportResult:
    name = quarantine.name
    with open(path, newline="", encoding=encoding) as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            result.rejected.append(Rejection(str(path), 1, f"missing column(s) {', '.join(missing)}"))
            quarantine.rejections = result.rejected
            quarantine.commit(SOURCE)
            return result
        with RollingLandingFile(landing_root, RESOURCE, name) as out:
            for row in _rows(reader, path, quarantine):
                line = reader.line_num
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
                try:
                    parsed = _parsed(row, separator)
                except BadValue as problem:
                    raw = ",".join(row.values()).replace("\x00", "\\0").encode()
                    quarantine.add(Rejection(str(path), line, str(problem), raw))
                    continue
                out.write_object(
                    {
                        "row": {c: row.get(c, "") for c in STANDARD_COLUMNS},
                        "parsed": parsed,
                        "extra": {k: v for k, v in row.items() if k not in STANDARD_COLUMNS},
                        "line": line,
                    },
                    provenance(
                        source=SOURCE,
                        endpoint="csv",
                        run_id=run_id,
                        kind="conversion",
                        source_file=str(path),
                        source_sha256=sha,
                        source_line=line,
                    ),
                )
            result.landed.extend(out.commit())
            result.items = out.lines
    return finish_import(result, quarantine, SOURCE)


def _rows(reader: csv.DictReader, path: Path, quarantine: Quarantine):
    """The reader's rows; a line the csv module cannot read (a cell over its 128 KiB limit) ends the
    file with one rejection naming the line, since what follows it cannot be told apart reliably."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = f"not readable as CSV from this line on ({error}); the rows before it are loaded"
            quarantine.add(Rejection(str(path), reader.reader.line_num, reason))  # the line it stopped at
            return
        yield row
