"""``tiemeter transform``: build the dbt project (staging, core, marts), optionally with its tests."""

from __future__ import annotations

import argparse
from pathlib import Path

from tiemeter.config import load_config
from tiemeter.operations import build, check
from tiemeter.progress import Progress
from tiemeter.settings import Home
from tiemeter.transforms.project import model_names


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
        help="then check: run every data test (unique, not null, relationships, ...; dbt test)",
    )
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild incremental models from scratch (dbt --full-refresh)",
    )
    parser.set_defaults(handler=_transform)


def _transform(args: argparse.Namespace, home: Home) -> None:
    config = load_config(args.config)
    with Progress("building models", len(model_names()), unit="models") as bar:
        built = [0]

        def progress(line: str) -> None:
            """dbt's one line per model in logs; on a terminal a bar with counts and ETA instead."""
            if " test " not in line:
                built[0] += 1
            if bar.on_terminal:
                bar.update(built[0])
            else:
                print(line, flush=True)

        result = build(
            home, config, identities_csv=args.identities, full_refresh=args.full_refresh, progress=progress
        )
    slowest = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in result.build.slowest(3))
    print(f"built {len(result.build.models)} model(s) in {result.build.seconds:.1f}s (slowest: {slowest})")
    if result.reference_time:
        print(f"reference time: {result.reference_time}")
    if args.check:
        checked = check(home)
        print(checked.summary())
        for failed in checked.failed:
            print(f"  {failed}")
        checked.raise_for_failures()
