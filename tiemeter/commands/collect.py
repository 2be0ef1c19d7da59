"""``tiemeter collect x``: collect from the X API v2 into the landing zone (and load it with --load)."""

from __future__ import annotations

import argparse

from tiemeter.collectors.x_api.collector import XCollector
from tiemeter.commands.collect_progress import CollectProgress
from tiemeter.commands.groups import command_group
from tiemeter.commands.load import load_and_build_core
from tiemeter.config import load_config
from tiemeter.credentials import x_config_and_token
from tiemeter.errors import IncompleteRun, TiemeterError
from tiemeter.settings import Home, replay_offset_s


def register(commands) -> None:
    sources = command_group(
        commands,
        "collect",
        help="collect from a live source into the landing zone",
        dest="source",
        metavar="SOURCE",
    )
    x = sources.add_parser(
        "x",
        help="the X API v2: campaigns, searches, accounts, reactions, follower snapshots, metrics re-poll",
        description="Token: env X_BEARER_TOKEN, or the password of the Airflow connection 'x_api'.",
    )
    x.add_argument("--config", help="tiemeter.toml (env TIEMETER_CONFIG, default ./tiemeter.toml)")
    x.add_argument("--load", action="store_true", help="then load what landed and build staging and core")
    x.add_argument(
        "--unit",
        action="append",
        metavar="UNIT",
        help="only this unit (users, metrics, campaign:NAME, search:NAME, account:NAME); repeatable",
    )
    x.set_defaults(handler=_collect_x)


def _collect_x(args: argparse.Namespace, home: Home) -> None:
    config, token = x_config_and_token(load_config(args.config))
    progress = CollectProgress()
    collector = XCollector(
        config, home, token, sleep=progress.sleep, listener=progress, now_offset_s=replay_offset_s()
    )
    try:
        result = collector.run(args.unit)
    finally:
        progress.finish()
    print(result.summary())
    if args.load:
        load_and_build_core(home)
    try:
        result.raise_for_errors()
    except TiemeterError as error:  # each failed job was listed above as it failed: say it once
        raise type(error)(
            f"{len(result.errors)} job(s) failed (listed above); the others were collected"
        ) from None
    if result.stopped:
        deferred = f"; {len(result.deferred)} job(s) left for the next run" if result.deferred else ""
        raise IncompleteRun(f"{result.stopped}{deferred}; cursors are saved, run again to resume")
