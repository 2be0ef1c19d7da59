"""Progress of long work: a bar with counts and ETA on a terminal (rich), plain lines in logs.

Collectors and the loader report through a plain callback (``Progress.update``); only this module
knows how it is shown. On a terminal a rich bar redraws in place; otherwise (Airflow task logs,
``make bench``, a pipe) a line is printed at most every ``TIEMETER_PROGRESS_EVERY_S`` seconds
(default 10), and once at the end.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress


class Progress:
    """``with Progress("importing x.jsonl", total=size, unit="bytes") as p: p.update(done, tweets=...)``."""

    def __init__(self, what: str, total: int, unit: str = "items", out: TextIO | None = None):
        self.what, self.total, self.unit = what, max(total, 0), unit
        self.out = out or sys.stdout
        self.every = float(os.environ.get("TIEMETER_PROGRESS_EVERY_S", "10"))
        self.done = 0
        self.counts: dict[str, int] = {}
        self._last = self._started = time.monotonic()
        self._printed = ""
        self._bar: RichProgress | None = None
        self._task = None

    def __enter__(self) -> Progress:
        if self.out.isatty():
            size = DownloadColumn() if self.unit == "bytes" else MofNCompleteColumn()
            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                size,
                TextColumn("{task.fields[counts]}"),
                TimeRemainingColumn(),
                console=Console(file=self.out),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.what, total=self.total or None, counts="")
        return self

    def update(self, done: int, total: int | None = None, **counts: int) -> None:
        self.done = done
        if total is not None:
            self.total = total
        self.counts.update(counts)
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=self.total or None, counts=self._counts_text())
        elif time.monotonic() - self._last >= self.every:
            self._print()

    def _print(self) -> None:
        self._last = time.monotonic()
        line = self.line()
        if line != self._printed:
            print(line, file=self.out, flush=True)
            self._printed = line

    @property
    def on_terminal(self) -> bool:
        """Whether a bar is drawn (else lines are printed)."""
        return self._bar is not None

    def _counts_text(self) -> str:
        return ", ".join(f"{n:,} {name}" for name, n in self.counts.items())

    def line(self) -> str:
        share = f"{100 * self.done / self.total:.0f}% " if self.total else ""
        if self.unit == "bytes":
            amount = f"({self.done / 1e6:,.1f} of {self.total / 1e6:,.1f} MB)"
        else:
            amount = f"({self.done:,} of {self.total:,} {self.unit})"
        counts = self._counts_text()
        return f"{self.what}: {share}{amount}" + (f", {counts}" if counts else "")

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self.done and time.monotonic() - self._started >= self.every:
            self._print()  # the last state, for the logs of long work
