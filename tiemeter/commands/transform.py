"""``tiemeter transform``: build the dbt project (staging, core, marts), optionally with its tests."""

from __future__ import annotations

import argparse
from pathlib import Path

from tiemeter.config import load_config
from tiemeter.errors import FatalError
from tiemeter.settings import Home
from warehouse.operations import transform


def register(commands) -> None:
    parser = commands.add_parser("transform", help="build staging, core and marts from what is loaded (dbt)")
    parser.add_argument(
        "--config", type=Path, help="tiemeter.toml (env TIEMETER_CONFIG, default ./tiemeter.toml)"
    )
    parser.add_argument(
        "--identities", type=Path, help="identities.csv: explicit person mapping (overrides the config)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="dbt build: run each model's tests (unique, not null, relationships, ...) after it",
    )
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild incremental models from scratch (dbt --full-refresh)",
    )
    parser.set_defaults(handler=_transform)


def _transform(args: argparse.Namespace, home: Home) -> None:
    config = load_config(args.config)
    result = transform(
        home,
        config,
        identities_csv=args.identities,
        check=args.check,
        full_refresh=args.full_refresh,
        progress=lambda line: print(line, flush=True),
    )
    slowest = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in result.build.slowest(3))
    print(f"built {len(result.build.models)} model(s) in {result.build.seconds:.1f}s (slowest: {slowest})")
    if result.reference_time:
        print(f"reference time: {result.reference_time}")
    if args.check:
        failed = result.failed_checks
        print(f"checks: {len(result.checks) - len(failed)} passed, {len(failed)} failed")
        for check in failed:
            print(f"  {check}")
        if failed:
            raise FatalError(f"{len(failed)} data check(s) failed, first: {failed[0]}")
