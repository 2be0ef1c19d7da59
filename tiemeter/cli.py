"""The ``tiemeter`` command line.

Exit codes, one per error outcome (``tiemeter.errors``): 0 success; 1 fatal (a one-line reason on
stderr); 2 usage (argparse); 3 skipped: some input or some jobs were rejected while the rest was
collected and loaded (``tiemeter status`` lists what was quarantined); 4 incomplete: stopped early on
purpose (budget, request cap, a long rate-limit wait) with its cursors saved: run it again later;
5 retry: a transient failure, e.g. another collection of the same source runs in this home
(``collect.when_busy = "exit"``) or another process holds the warehouse.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import re
import sys

from tiemeter import __version__
from tiemeter.commands import COMMAND_MODULES
from tiemeter.config import load_config
from tiemeter.errors import Outcome, TiemeterError
from tiemeter.settings import Home
from tiemeter.warehouse.connection import DiskFull, disk_full_error, is_disk_full

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CODES = {Outcome.FATAL: EXIT_FAILED, Outcome.SKIP: 3, Outcome.INCOMPLETE: 4, Outcome.RETRY: 5}
# what stderr's one line starts with, after "tiemeter: "
PREFIXES = {
    Outcome.FATAL: "error: ",
    Outcome.SKIP: "",
    Outcome.INCOMPLETE: "incomplete: ",
    Outcome.RETRY: "busy: ",
}


class _Parser(argparse.ArgumentParser):
    """argparse, with "did you mean" for a mistyped command (exit code 2, as argparse's usage errors)."""

    def error(self, message: str):
        match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if match:
            choices = re.findall(r"'([^']*)'", match.group(2))
            close = difflib.get_close_matches(match.group(1), choices, n=1, cutoff=0.5)
            if close:
                message += f"; did you mean '{close[0]}'?"
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tiemeter", description="Reach, spread and strong ties, from X and blogs, in DuckDB."
    )
    parser.add_argument("--version", action="version", version=f"tiemeter {__version__}")
    parser.add_argument(
        "--home", help="folder for landing/, the DuckDB file and exports/ (env TIEMETER_HOME, default ./data)"
    )
    parser.add_argument("--db", help="DuckDB file (env TIEMETER_DB, default HOME/tiemeter.duckdb)")
    parser.add_argument(
        "--landing",
        help="landing zone: a folder or s3://bucket/prefix (env TIEMETER_LANDING, default HOME/landing)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def _full_path(home: Home, error: BaseException):
    """Which disk filled up: the warehouse's when DuckDB says so, else the home's (landing, state)."""
    return home.db_path if str(home.db_path) in str(error) else home.root


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        home = Home.resolve(args.home, args.db, landing=args.landing)
    except TiemeterError as error:
        print(f"tiemeter: {PREFIXES[error.outcome]}{error}", file=sys.stderr)
        return EXIT_CODES[error.outcome]
    try:
        # the warehouse's place: the config's [warehouse] (the DuckDB file of the home, or a DuckLake)
        config = load_config(getattr(args, "config", None))
        home = Home.resolve(args.home, args.db, config.warehouse, landing=args.landing)
        args.handler(args, home)
    except TiemeterError as error:
        if is_disk_full(error) and not isinstance(error, DiskFull):
            error = disk_full_error(_full_path(home, error))
        print(f"tiemeter: {PREFIXES[error.outcome]}{error}", file=sys.stderr)
        return EXIT_CODES[error.outcome]
    except KeyboardInterrupt:
        print("tiemeter: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the promise is one line, not a traceback
        if args.verbose:
            raise
        if is_disk_full(error):  # a write deep inside DuckDB or a landing file
            print(f"tiemeter: error: {disk_full_error(_full_path(home, error))}", file=sys.stderr)
            return EXIT_FAILED
        reason = " ".join(str(error).split())[:600]
        print(
            f"tiemeter: error: {type(error).__name__}: {reason} (run with -v for the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
