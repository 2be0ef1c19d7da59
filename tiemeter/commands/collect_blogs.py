"""``tiemeter collect blogs``: every ``[[blogs]]`` entry of the config; one failing blog never stops the others."""

from __future__ import annotations

import argparse

from tiemeter.collectors.blogs import blog_http_policy, collect_blogs
from tiemeter.collectors.http import HttpClient
from tiemeter.commands.groups import command_group
from tiemeter.commands.load import load_and_build_core
from tiemeter.config import load_config
from tiemeter.errors import FatalError
from tiemeter.settings import Home


def register(commands) -> None:
    sources = command_group(
        commands, "collect", "collect from the configured sources into the landing zone", "source", "SOURCE"
    )
    blogs = sources.add_parser(
        "blogs", help="posts and comments of every [[blogs]] entry (feeds, WordPress, Disqus)"
    )
    blogs.add_argument("--config", help="tiemeter.toml (default: $TIEMETER_CONFIG, else ./tiemeter.toml)")
    blogs.add_argument("--blog", action="append", metavar="NAME", help="only this blog (repeatable)")
    blogs.add_argument(
        "--load", action="store_true", help="then load the landing zone and build staging and core"
    )
    blogs.set_defaults(handler=_collect_blogs)


def _collect_blogs(args: argparse.Namespace, home: Home) -> None:
    config = load_config(args.config)
    chosen = [b for b in config.blogs if not args.blog or b.name in args.blog]
    if args.blog and len(chosen) != len(set(args.blog)):
        missing = sorted(set(args.blog) - {b.name for b in chosen})
        raise FatalError(f"no [[blogs]] entry named {missing[0]!r}")
    if not chosen:
        raise FatalError("no [[blogs]] entries in the config: nothing to collect")
    report = collect_blogs(
        chosen,
        home,
        client=HttpClient(policy=blog_http_policy(config)),
        disqus_config=config.disqus,
        busy_wait_s=config.collect.wait_s,
    )
    for run in report.runs:
        print(run.summary())
        for failure in run.failures:
            print(f"  failed: {failure}")
    if args.load:
        load_and_build_core(home)
    report.raise_for_failures(" (listed above)", "collected and loaded" if args.load else "collected")
