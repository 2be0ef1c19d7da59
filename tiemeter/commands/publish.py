"""``tiemeter export``, ``tiemeter docs`` and ``tiemeter report``: what leaves the warehouse."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tiemeter.config import Config
from tiemeter.errors import FatalError
from tiemeter.operations import build
from tiemeter.reports.report import write_report
from tiemeter.settings import Home
from tiemeter.transforms.project import serve_docs
from tiemeter.warehouse.connection import warehouse
from tiemeter.warehouse.data_dictionary import write_dictionary
from tiemeter.warehouse.export import export

# the user's home (TIEMETER_HOME, default ./data), never beside the installed package; the checkout's
# docs/data-dictionary.md is regenerated with --out docs/data-dictionary.md
DICTIONARY_NAME = "data-dictionary.md"


def register(commands) -> None:
    parser = commands.add_parser("export", help="Parquet, CSV and a read-only DuckDB snapshot for BI tools")
    parser.add_argument("--format", choices=("parquet", "csv", "all"), default="all")
    parser.add_argument("--out", type=Path, help="folder (default HOME/exports)")
    parser.add_argument("--no-snapshot", action="store_true", help="skip the DuckDB snapshot")
    parser.set_defaults(handler=_export)

    docs = commands.add_parser("docs", help="write the data dictionary from the warehouse's column comments")
    docs.add_argument("--out", type=Path, help=f"default HOME/{DICTIONARY_NAME}")
    docs.add_argument(
        "--from-models",
        action="store_true",
        help="build an empty warehouse from the models instead of using HOME's",
    )
    docs.add_argument(
        "--serve",
        action="store_true",
        help="dbt docs generate on HOME's warehouse, then serve the lineage site (dbt docs serve)",
    )
    docs.add_argument("--port", type=int, default=8080, help="port of --serve (default 8080)")
    docs.set_defaults(handler=_docs)

    report = commands.add_parser("report", help="one self-contained HTML file with the four charts")
    report.add_argument("--out", type=Path, help="default HOME/exports/report.html")
    report.set_defaults(handler=_report)


def _export(args: argparse.Namespace, home: Home) -> None:
    print(export(home, fmt=args.format, out=args.out, snapshot=not args.no_snapshot).summary())


def _docs(args: argparse.Namespace, home: Home) -> None:
    if args.serve:
        serve_docs(home, args.port)
        return
    out = args.out or home.root / DICTIONARY_NAME
    if args.from_models or not home.db_path.exists():
        with tempfile.TemporaryDirectory(prefix="tiemeter-docs-") as tmp:
            empty = Home.resolve(Path(tmp) / "home")
            _build_empty(empty)
            with warehouse(empty, read_only=True) as con:
                path = write_dictionary(con, out)
    else:
        with warehouse(home, read_only=True) as con:
            path = write_dictionary(con, out)
    print(f"wrote {path.resolve()}")


def _build_empty(home: Home) -> None:
    build(home, Config(path=None))


def _report(args: argparse.Namespace, home: Home) -> None:
    with warehouse(home, read_only=True) as con:
        built = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'campaign_summary'"
        ).fetchone()[0]
    if not built:
        raise FatalError(
            f"no marts in {home.db_path} yet: run 'tiemeter transform' first, then 'tiemeter report'"
        )

    print(f"wrote {write_report(home, args.out)}")
