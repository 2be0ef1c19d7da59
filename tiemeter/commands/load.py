"""``tiemeter load`` and ``tiemeter status``."""

from __future__ import annotations

import argparse

from tiemeter.operations import build, load, needs_build, raise_for_failed_loads
from tiemeter.progress import Progress
from tiemeter.settings import Home
from tiemeter.warehouse.connection import warehouse
from tiemeter.warehouse.loader import LoadReport
from tiemeter.warehouse.status import render_status


def register(commands) -> None:
    parser = commands.add_parser(
        "load", help="load pending landing files into raw.* (only loads: 'tiemeter transform' builds)"
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="hash every loaded landing file against the load ledger (else only files whose size or "
        "time changed are hashed)",
    )
    parser.set_defaults(handler=_load)
    status = commands.add_parser("status", help="row counts, the last loads, and quarantined input")
    status.add_argument("--recent", type=int, default=10, help="how many recent loads and rejections to list")
    status.set_defaults(handler=_status)


def _load_pending(home: Home, verify: bool = False) -> LoadReport:
    """Load everything pending (not only what this run landed: an earlier load may have been killed
    or locked out)."""
    with Progress("loading landing files", 0, unit="files") as progress:
        return load(home, verify=verify, progress=progress.update)


def load_and_build_core(home: Home) -> None:
    """The ``--load`` of the collect and import commands: load, then build staging and core if
    anything new arrived (two operations, composed here); print the summary, and fail when a file did
    not load."""
    report = _load_pending(home)
    summary = report.summary()
    if needs_build(home, report):
        built = build(home, layers=("staging", "core")).build
        summary += f"; built {len(built.models)} staging/core model(s) in {built.seconds:.1f}s"
    print(summary)
    raise_for_failed_loads(report)


def _load(args: argparse.Namespace, home: Home) -> None:
    report = _load_pending(home, verify=args.verify)
    print(report.summary())
    raise_for_failed_loads(report)


def _status(args: argparse.Namespace, home: Home) -> None:
    with warehouse(home, read_only=True) as con:
        print(render_status(con, recent=args.recent))
