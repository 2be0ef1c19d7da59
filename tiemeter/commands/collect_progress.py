"""What ``tiemeter collect x`` shows while it runs.

On a terminal: one status line, redrawn (pages, tweets, requests, estimated cost), and during a
rate-limit wait a countdown of the time left. Elsewhere (logs, CI): a plain line per unit, per
wait and per failed job.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TextIO

from tiemeter.collectors.x_api.collector import CollectListener
from tiemeter.collectors.x_api.ledger import RunTotals
from tiemeter.collectors.x_api.paginate import PageJob


def _totals(totals: RunTotals) -> str:
    return (
        f"{totals.pages} pages, {totals.tweets} tweets, {totals.users} users, "
        f"{totals.requests} requests, est. ${totals.cost_usd:.3f}"
    )


class CollectProgress(CollectListener):
    def __init__(self, out: TextIO | None = None, real_sleep: Callable[[float], None] = time.sleep):
        self.out = out or sys.stdout
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())
        self.real_sleep = real_sleep
        self.unit = ""
        self.totals = RunTotals()
        self._wait_reason = ""

    def _draw(self, text: str) -> None:
        if self.tty:
            self.out.write("\r\x1b[2K" + text[:160])
            self.out.flush()

    def _line(self, text: str) -> None:
        if self.tty:
            self.out.write("\r\x1b[2K")
        print(text, file=self.out, flush=True)

    def unit_started(self, unit: str) -> None:
        self.unit = unit
        if not self.tty:
            self._line(f"collecting {unit}")

    def page_landed(self, job: PageJob, items: int, totals: RunTotals) -> None:
        self.totals = totals
        self._draw(f"{self.unit}: {_totals(totals)}")

    def busy(self, message: str) -> None:
        self._line(message)

    def waiting(self, seconds: float, reason: str) -> None:
        until = datetime.now(UTC) + timedelta(seconds=seconds)
        self._wait_reason = reason
        if not self.tty:
            self._line(f"waiting {seconds:.0f}s (until {until:%H:%M:%S}Z): {reason}")

    def job_failed(self, label: str, error: Exception) -> None:
        self._line(f"failed: {label}: {error}")

    def sleep(self, seconds: float) -> None:
        """The collector's sleep: on a terminal, a countdown of the time left."""
        if not self.tty:
            self.real_sleep(seconds)
            return
        left = seconds
        while left > 0:
            self._draw(
                f"{self.unit}: waiting, {left:4.0f}s left ({self._wait_reason}); {_totals(self.totals)}"
            )
            step = min(1.0, left)
            self.real_sleep(step)
            left -= step

    def finish(self) -> None:
        if self.tty:
            self.out.write("\r\x1b[2K")
            self.out.flush()
