"""``tiemeter import feed|wxr|disqus-xml``: backfill a blog from a feed, a WordPress export or a Disqus export."""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

from tiemeter.collectors.blog_sites import resolve_site
from tiemeter.collectors.export_import import DISQUS_XML, WXR, ExportFormat, import_export
from tiemeter.collectors.feed_import import import_feed, is_url
from tiemeter.commands.groups import command_group
from tiemeter.commands.imports import IMPORT_HELP, report_imports
from tiemeter.config import load_config
from tiemeter.landing import new_run_id
from tiemeter.settings import Home


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        help="the [[blogs]] name the rows belong to (default: the blog whose URL has the same host, else the host)",
    )
    parser.add_argument(
        "--config", help="tiemeter.toml whose [[blogs]] name the site (default ./tiemeter.toml)"
    )
    parser.add_argument("--no-load", action="store_true", help="only land; 'tiemeter load' loads them")


def register(commands) -> None:
    kinds = command_group(commands, "import", IMPORT_HELP, dest="kind")

    feed = kinds.add_parser("feed", help="RSS, Atom or JSON feeds (posts or comments), from files or URLs")
    feed.add_argument("sources", nargs="+", metavar="FILE|URL")
    feed.add_argument("--kind", choices=("posts", "comments"), help="what the feed lists (default: guessed)")
    feed.add_argument("--base-url", help="resolve the relative links of a saved feed against this URL")
    _common(feed)
    feed.set_defaults(handler=_feed)

    wxr = kinds.add_parser("wxr", help="a WordPress export (WXR) with its comments")
    wxr.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _common(wxr)
    wxr.set_defaults(handler=partial(_export, WXR))

    disqus = kinds.add_parser("disqus-xml", help="a Disqus XML export (threads and posts)")
    disqus.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _common(disqus)
    disqus.set_defaults(handler=partial(_export, DISQUS_XML))


def _site_for(args: argparse.Namespace):
    blogs = load_config(args.config).blogs
    return lambda url: resolve_site(args.site, url, blogs)


def _feed(args: argparse.Namespace, home: Home) -> None:
    home.ensure()
    run_id = new_run_id()
    site_for = _site_for(args)
    results = [
        import_feed(
            source if is_url(source) else str(Path(source).resolve()),
            home.landing,
            run_id,
            site_for=site_for,
            kind=args.kind,
            base_url=args.base_url,
        )
        for source in args.sources
    ]
    report_imports(home, results, args.no_load)


def _export(fmt: ExportFormat, args: argparse.Namespace, home: Home) -> None:
    home.ensure()
    run_id = new_run_id()
    site_for = _site_for(args)
    results = [import_export(fmt, path.resolve(), home.landing, run_id, site_for) for path in args.files]
    report_imports(home, results, args.no_load)
