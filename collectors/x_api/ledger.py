"""The request ledger: one record per HTTP attempt (endpoint, status, items, duration, estimated cost).

Records land under ``landing/x_api_requests/`` (loaded into ``raw.x_api_requests`` and read through
the ``meta.api_requests`` view), in files of up to ``FLUSH_EVERY`` records and at the end of every
run, failed or not. A run killed with SIGKILL loses the records not yet flushed (fewer than
``FLUSH_EVERY``); landing a ledger file per page would double the fsyncs of every page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from collectors.http import Attempt
from collectors.landing import landing_path, provenance, stamp_object, write_landing_file
from collectors.x_api.budget import Budget
from collectors.x_api.pages import iso_epoch
from collectors.x_api.transport import endpoint_template
from collectors.x_shapes import ARRAY_TYPES, OBJECT_TYPES

RESOURCE = "x_api_requests"
SOURCE = "x_api"
FLUSH_EVERY = 25


def count_items(page: object) -> int:
    data = page.get("data") if isinstance(page, OBJECT_TYPES) else None
    if isinstance(data, ARRAY_TYPES):
        return len(data)
    return 1 if isinstance(data, OBJECT_TYPES) else 0


@dataclass
class RunTotals:
    requests: int = 0  # HTTP attempts, retries included
    pages: int = 0
    tweets: int = 0
    users: int = 0
    cost_usd: float = 0.0
    waits: int = 0
    waited_s: float = 0.0


class RequestLedger:
    def __init__(
        self,
        landing_root: Path,
        run_id: str,
        budget: Budget,
        totals: RunTotals,
        clock: Callable[[], float],
    ):
        self.landing_root, self.run_id, self.budget, self.totals, self.clock = (
            landing_root,
            run_id,
            budget,
            totals,
            clock,
        )
        self.unit: str | None = None  # the unit being collected, stamped on each record
        self._pending: list[bytes] = []
        self._files = 0
        self._writer = uuid.uuid4().hex[:6]  # parallel tasks may share a run id

    def on_attempt(self, attempt: Attempt) -> None:
        parts = urlsplit(attempt.url)
        endpoint = endpoint_template(parts.path)
        items, cost = 0, 0.0
        if attempt.problem is None and attempt.response is not None:
            items = count_items(attempt.response.json())
            cost = self.budget.charge(endpoint, items)
        stamp = provenance(
            source=SOURCE,
            endpoint=endpoint,
            run_id=self.run_id,
            params=dict(parse_qsl(parts.query, keep_blank_values=True)),
            retrieved_at=iso_epoch(self.clock() - attempt.seconds),
            kind="request",
            job=self.unit,
        )
        record = {
            "method": attempt.method,
            "path": parts.path,
            "status": attempt.status,
            "problem": attempt.problem,
            "items": items,
            "duration_ms": round(attempt.seconds * 1000, 3),
            "cost_usd": round(cost, 6),
        }
        self._pending.append(stamp_object(record, stamp))
        self.totals.requests += 1
        self.totals.cost_usd += cost

    def flush(self, *, unless_fewer_than: int = 1) -> Path | None:
        if len(self._pending) < max(1, unless_fewer_than):
            return None
        self._files += 1
        path = landing_path(
            self.landing_root, RESOURCE, f"xreq-{self.run_id}-{self._writer}-{self._files:05d}"
        )
        lines, self._pending = self._pending, []
        return write_landing_file(path, lines)
