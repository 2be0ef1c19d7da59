"""``tiemeter import twarc|x-archive``: land files with provenance, then load them (blog kinds: ``blog_imports``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from tiemeter.collectors.conversions_import import conversions_importer
from tiemeter.collectors.imports import ImportResult, raise_for_rejections
from tiemeter.collectors.twarc_import import import_twarc_file
from tiemeter.collectors.x_archive import import_x_archive
from tiemeter.commands.groups import command_group
from tiemeter.commands.load import load_and_build_core
from tiemeter.errors import FatalError
from tiemeter.landing import new_run_id
from tiemeter.progress import Progress
from tiemeter.settings import Home

IMPORT_HELP = "import files (twarc2 JSONL, X archive, blog feeds and exports) into the warehouse"


def register(commands) -> None:
    kinds = command_group(commands, "import", IMPORT_HELP, dest="kind")

    twarc = kinds.add_parser("twarc", help="twarc2 JSONL: raw API pages or flattened tweets, one per line")
    twarc.add_argument("files", nargs="+", type=Path, metavar="FILE")
    twarc.add_argument(
        "--no-load", action="store_true", help="only land the files; 'tiemeter load' loads them"
    )
    twarc.set_defaults(handler=_twarc)

    archive = kinds.add_parser("x-archive", help="an X archive folder, its data/ folder, or data/tweets.js")
    archive.add_argument("path", type=Path, metavar="PATH")
    archive.add_argument("--account-id", help="the archive owner's X user id, when the archive does not say")
    archive.add_argument(
        "--no-load", action="store_true", help="only land the files; 'tiemeter load' loads them"
    )
    archive.set_defaults(handler=_archive)

    conversions = kinds.add_parser(
        "conversions",
        help="a CSV of conversions: email, x_handle, name, url, amount, currency, occurred_at, campaign",
    )
    conversions.add_argument("files", nargs="+", type=Path, metavar="FILE.csv")
    conversions.add_argument(
        "--decimal-separator",
        choices=(".", ","),
        help="the files' decimal separator; without it an amount that reads two ways (1,250) is refused",
    )
    conversions.add_argument(
        "--encoding",
        default="utf-8-sig",
        help="the files' text encoding (default UTF-8, with or without BOM)",
    )
    conversions.add_argument(
        "--no-load", action="store_true", help="only land the files; 'tiemeter load' loads them"
    )
    conversions.set_defaults(handler=_conversions)


def run_imports(
    home: Home, inputs: list[Path], importer: Callable[[Path, Path, str], ImportResult], no_load: bool
) -> None:
    home.ensure()
    run_id = new_run_id()
    report_imports(home, [importer(path.resolve(), home.landing, run_id) for path in inputs], no_load)


def report_imports(home: Home, results: list[ImportResult], no_load: bool) -> None:
    """Print what each import did, load what landed, and raise when input was rejected."""
    for result in results:
        print(result.summary())
        for rejection in result.rejected[:20]:
            print(f"  rejected: {rejection.message()}")
        if len(result.rejected) > 20:
            print(f"  ... {len(result.rejected) - 20} more rejections")
    if not no_load and any(r.landed for r in results):
        load_and_build_core(home)
    raise_for_rejections(results)


def _twarc(args: argparse.Namespace, home: Home) -> None:
    def with_progress(path: Path, landing: Path, run_id: str) -> ImportResult:
        size = path.stat().st_size if path.is_file() else 0
        with Progress(f"importing {path.name}", size, unit="bytes") as progress:
            return import_twarc_file(path, landing, run_id, progress=progress.update)

    run_imports(home, args.files, with_progress, args.no_load)


def _archive(args: argparse.Namespace, home: Home) -> None:
    run_imports(
        home,
        [args.path],
        lambda path, landing, run_id: import_x_archive(path, landing, run_id, account_id=args.account_id),
        args.no_load,
    )


def _conversions(args: argparse.Namespace, home: Home) -> None:
    try:
        "".encode(args.encoding)
    except LookupError:
        raise FatalError(f"--encoding: unknown encoding {args.encoding!r}") from None
    importer = conversions_importer(args.decimal_separator, args.encoding)
    run_imports(home, args.files, importer, args.no_load)
