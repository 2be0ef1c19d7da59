"""The request ledger: one record per HTTP attempt (endpoint, status, items, duration, estimated cost).

Records land under ``landing/x_api_requests/`` (loaded into ``raw.x_api_requests`` and read through
the ``meta.api_requests`` view), in files of up to ``FLUSH_EVERY`` records and at the end of every
run, failed or not.

Each record is also appended to a journal (``state/x/ledger/<run>-<writer>.<host>-<pid>.jsonl``) the
moment its attempt ends, before the page is landed: a write that the kernel holds even when the
process is killed with SIGKILL. The next run lands what a dead writer's journal holds beyond what it
had already landed (``recover_journals``), so a killed run's requests are never lost from
``meta.api_requests``, and never counted twice: landing file names carry the running record count.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from tiemeter.collectors.http import Attempt
from tiemeter.collectors.x_api.budget import Budget
from tiemeter.collectors.x_api.pages import iso_epoch
from tiemeter.collectors.x_api.transport import endpoint_template
from tiemeter.collectors.x_shapes import ARRAY_TYPES, OBJECT_TYPES
from tiemeter.landing import X_API_REQUESTS, landing_path, provenance, stamp_object, write_landing_file
from tiemeter.temp_files import writer_dead, writer_tag

RESOURCE = X_API_REQUESTS
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
        journal_dir: Path | None = None,
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
        self._landed = 0  # records landed so far: names the next landing file
        self._writer = uuid.uuid4().hex[:6]  # parallel tasks may share a run id
        self._journal = None
        if journal_dir is not None:
            journal_dir.mkdir(parents=True, exist_ok=True)
            path = journal_dir / f"{self.run_id}-{self._writer}.{writer_tag()}.jsonl"
            self._journal = open(path, "ab", buffering=0)  # noqa: SIM115 - closed in close()

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
        line = stamp_object(record, stamp)
        if self._journal is not None:
            self._journal.write(line + b"\n")  # one unbuffered write: in the kernel before the page lands
        self._pending.append(line)
        self.totals.requests += 1
        self.totals.cost_usd += cost

    def flush(self, *, unless_fewer_than: int = 1) -> Path | None:
        if len(self._pending) < max(1, unless_fewer_than):
            return None
        lines, self._pending = self._pending, []
        self._landed += len(lines)
        return write_landing_file(
            _ledger_path(self.landing_root, self.run_id, self._writer, self._landed), lines
        )

    def close(self) -> None:
        """After the last flush: the journal's records are all landed."""
        if self._journal is not None and not self._pending:
            self._journal.close()
            os.unlink(self._journal.name)
            self._journal = None


def _ledger_path(landing_root: Path, run_id: str, writer: str, landed: int) -> Path:
    return landing_path(landing_root, RESOURCE, f"xreq-{run_id}-{writer}-{landed:06d}")


def recover_journals(journal_dir: Path, landing_root: Path) -> int:
    """Land the records of dead writers' journals that never reached a landing file; returns how many."""
    recovered = 0
    if not journal_dir.is_dir():
        return 0
    for journal in sorted(journal_dir.glob("*.jsonl")):
        stem, _, tag = journal.stem.rpartition(".")
        run_id, _, writer = stem.rpartition("-")
        if not (run_id and writer_dead(tag)):
            continue
        lines = [line for line in journal.read_bytes().split(b"\n") if line.strip()]
        landed = sum(
            sum(1 for _ in path.open("rb"))
            for path in landing_root.glob(f"{RESOURCE}/*/xreq-{run_id}-{writer}-*.jsonl")
        )
        if len(lines) > landed:
            write_landing_file(_ledger_path(landing_root, run_id, writer, len(lines)), lines[landed:])
            recovered += len(lines) - landed
        journal.unlink()
    return recovered
