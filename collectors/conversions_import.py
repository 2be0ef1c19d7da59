"""``tiemeter import conversions FILE.csv``: donations, sales or sign-ups, one row each.

Columns: person keys ``email``, ``x_handle``, ``name``, ``url`` (any may be empty or missing),
``amount``, ``currency``, ``occurred_at`` (ISO 8601) and an optional ``campaign`` (a campaign name
or URL). Other columns are kept as ``extra``. A row with a bad amount or time is quarantined with
its line; the others load.
"""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from collectors.imports import ImportResult, finish_import, start_import
from collectors.landing import RollingLandingFile, provenance
from collectors.quarantine import Quarantine, Rejection

RESOURCE = "conversions"
SOURCE = "conversions_csv"
KEY_COLUMNS = ("email", "x_handle", "name", "url")
STANDARD_COLUMNS = (*KEY_COLUMNS, "amount", "currency", "occurred_at", "campaign")
REQUIRED_COLUMNS = ("amount", "occurred_at")


def _problem(row: dict[str, str]) -> str | None:
    amount = (row.get("amount") or "").strip()
    try:
        Decimal(amount.replace(",", ""))
    except InvalidOperation:
        return f"amount {amount!r} is not a number"
    when = (row.get("occurred_at") or "").strip()
    try:
        datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return f"occurred_at {when!r} is not an ISO 8601 time"
    return None


def import_conversions_file(path: Path, landing_root: Path, run_id: str) -> ImportResult:
    path = Path(path)
    start = start_import(path, landing_root, "conversions")
    if start.done:
        return start.result
    result, name = start.result, start.name
    quarantine = Quarantine(landing_root, run_id, name)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            result.rejected.append(Rejection(str(path), 1, f"missing column(s) {', '.join(missing)}"))
            quarantine.rejections = result.rejected
            quarantine.commit(SOURCE)
            return result
        with RollingLandingFile(landing_root, RESOURCE, name) as out:
            for row in reader:
                line = reader.line_num
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
                problem = _problem(row)
                if problem:
                    quarantine.add(Rejection(str(path), line, problem, ",".join(row.values()).encode()))
                    continue
                out.write_object(
                    {
                        "row": {c: row.get(c, "") for c in STANDARD_COLUMNS},
                        "extra": {k: v for k, v in row.items() if k not in STANDARD_COLUMNS},
                        "line": line,
                    },
                    provenance(
                        source=SOURCE,
                        endpoint="csv",
                        run_id=run_id,
                        kind="conversion",
                        source_file=str(path),
                        source_line=line,
                    ),
                )
            result.landed.extend(out.commit())
            result.items = out.lines
    return finish_import(result, quarantine, SOURCE)
