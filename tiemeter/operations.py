"""What the command line and the DAGs call: load the landing zone, then build the dbt project."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from tiemeter.settings import Home
from transforms.project import BuildReport, Progress, build
from warehouse.connection import warehouse
from warehouse.context import write_context
from warehouse.loader import LoadReport, load_pending, verify_and_load
from warehouse.status import reference_time


@dataclass
class LoadAndBuild:
    load: LoadReport
    build: BuildReport | None

    def summary(self) -> str:
        text = self.load.summary()
        if self.build:
            text += f"; built {len(self.build.models)} staging/core model(s) in {self.build.seconds:.1f}s"
        return text


def load_and_build(
    home: Home, force_build: bool = False, verify: bool = False, progress: Callable[..., None] | None = None
) -> LoadAndBuild:
    """Load pending landing files, then build staging and core if anything new arrived.

    dbt gets its own connection: DuckDB keeps buffers of the bulk load around otherwise, and the
    build would start with most of the memory limit already taken.
    """
    report = verify_and_load(home, progress) if verify else load_pending(home, progress)
    with warehouse(home) as con:
        needs_build = bool(report.loaded) or force_build or not _core_exists(con)
    built = None
    if needs_build:
        built = build(home, layers=("staging", "core"))
    return LoadAndBuild(report, built)


def _core_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'core' AND table_name = 'tweets'"
        ).fetchone()[0]
    )


def load(
    home: Home, force_build: bool = False, verify: bool = False, progress: Callable[..., None] | None = None
) -> LoadAndBuild:
    return load_and_build(home, force_build=force_build, verify=verify, progress=progress)


@dataclass
class TransformResult:
    build: BuildReport
    reference_time: str | None = None  # what marts.analysis_window measured from, and why

    @property
    def checks(self) -> list:
        return self.build.tests

    @property
    def failed_checks(self) -> list:
        return self.build.failed_tests


def transform(
    home: Home,
    config,
    identities_csv=None,
    check: bool = False,
    full_refresh: bool = False,
    progress: Progress | None = None,
) -> TransformResult:
    """Write the config into meta, then build every layer (staging, core, marts); with ``check``,
    as ``dbt build``: each model's tests run right after it, and a failed test skips what depends on it."""
    load_pending(home)
    with warehouse(home) as con:
        write_context(con, config, identities_csv or config.identities_file)
    built = build(
        home, layers=("staging", "core", "marts"), full_refresh=full_refresh, check=check, progress=progress
    )
    with warehouse(home, read_only=True) as con:
        reference = reference_time(con)
    return TransformResult(built, reference)
