"""Build the warehouse for a scenario: X pages through the real import (landed with --no-load and
loaded here, once), blog rows straight into the core blog tables (the contract the blog collectors
fill), then everything downstream."""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb
from scenario import BLOG_COMMENT_COLUMNS, BLOG_POST_COLUMNS

from tiemeter.config import parse_config
from tiemeter.operations import load, raise_for_failed_loads
from tiemeter.transforms.project import build, run_dbt, run_tests
from tiemeter.warehouse.connection import warehouse
from tiemeter.warehouse.context import write_context

BLOG_MODELS = ("blog_posts", "blog_comments")


def build_scenario(home, config: dict, posts=(), comments=(), identities: Path | None = None) -> None:
    cfg = parse_config(config)
    # The scenario's imports only land (--no-load): one load and one build here, not one per file.
    raise_for_failed_loads(load(home))
    with warehouse(home) as con:
        write_context(con, cfg, identities)
    build(home, layers=("staging", "core"))
    with warehouse(home) as con:
        for row in posts:
            con.execute(
                f"INSERT INTO core.blog_posts VALUES ({', '.join('?' * len(BLOG_POST_COLUMNS))})", row
            )
        for row in comments:
            con.execute(
                f"INSERT INTO core.blog_comments VALUES ({', '.join('?' * len(BLOG_COMMENT_COLUMNS))})", row
            )
    # Only what the inserted blog rows feed is built again; the rest of core is already built.
    downstream = [f"{m}+" for m in BLOG_MODELS] if posts or comments else []
    run_dbt(home, "run", select=[*downstream, "path:models/marts"], exclude=BLOG_MODELS)


def rebuild_marts(home, config: dict) -> list[str]:
    """A warehouse built by build_scenario, again under ``config`` whose changes only marts read (meta.
    config_metrics: [metrics]; no identity mapping): the new context, every mart rebuilt, and the marts'
    failing checks."""
    with warehouse(home) as con:
        write_context(con, parse_config(config))
    marts = ["path:models/marts"]
    run_dbt(home, "run", select=marts)
    report = run_tests(home, select=marts)
    assert len(report.tests) > 10
    return [str(r) for r in report.failed_tests]


def rows(home, sql: str, params=None) -> list[tuple]:
    with contextlib.closing(duckdb.connect(str(home.db_path), read_only=True)) as con:
        return con.execute(sql, params or []).fetchall()


def keyed_rows(home, sql: str, params=None) -> dict:
    """The query's rows by their first column: {first: (the others...)}."""
    return {r[0]: r[1:] for r in rows(home, sql, params)}


def table(home, name: str) -> list[tuple]:
    return rows(home, f"SELECT * FROM {name} ORDER BY ALL")


def failed_checks(home) -> list[str]:
    """The dbt tests of core and marts that fail."""
    report = run_tests(home, select=["path:models/core", "path:models/marts"])
    assert len(report.tests) > 30
    return [str(r) for r in report.failed_tests]
