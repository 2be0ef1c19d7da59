"""``tiemeter load`` and ``tiemeter status``."""

from __future__ import annotations

import argparse

from tiemeter.errors import FatalError
from tiemeter.settings import Home
from warehouse.connection import warehouse
from warehouse.operations import load
from warehouse.status import render_status


def register(commands) -> None:
    parser = commands.add_parser("load", help="load pending landing files, then rebuild the core tables")
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the core tables even if nothing new landed"
    )
    parser.set_defaults(handler=_load)
    status = commands.add_parser("status", help="row counts, the last loads, and quarantined input")
    status.add_argument("--recent", type=int, default=10, help="how many recent loads and rejections to list")
    status.set_defaults(handler=_status)


def _load(args: argparse.Namespace, home: Home) -> None:
    result = load(home, force_build=args.rebuild)
    print(result.summary())
    if result.load.failed:
        raise FatalError(
            f"{len(result.load.failed)} landing file(s) failed to load: {result.load.failed[0].error}"
        )


def _status(args: argparse.Namespace, home: Home) -> None:
    with warehouse(home) as con:
        print(render_status(con, recent=args.recent))
