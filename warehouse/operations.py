"""What the command line and the DAGs call: load the landing zone, then rebuild the core tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from tiemeter.settings import Home
from transforms.runner import BuildReport, build
from warehouse.connection import warehouse
from warehouse.loader import LoadReport, load_pending, verify_and_load


@dataclass
class LoadAndBuild:
    load: LoadReport
    build: BuildReport | None

    def summary(self) -> str:
        text = self.load.summary()
        if self.build:
            text += f"; rebuilt {len(self.build.models)} staging/core model(s) in {self.build.seconds:.1f}s"
        return text


def load_and_build(
    home: Home, force_build: bool = False, verify: bool = False, progress: Callable[..., None] | None = None
) -> LoadAndBuild:
    """Load pending landing files, then rebuild staging and core if anything new arrived.

    The build gets a fresh connection: DuckDB keeps buffers of the bulk load around otherwise, and
    the build would start with most of the memory limit already taken.
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
    checks: list  # list[CheckResult]
    reference_time: str | None = None  # what marts.analysis_window measured from, and why

    @property
    def failed_checks(self) -> list:
        return [c for c in self.checks if not c.ok]


def transform(home: Home, config, identities_csv=None, check: bool = False) -> TransformResult:
    """Write the config into meta, rebuild every layer (staging, core, marts), then run the data checks."""
    from transforms.checks import run_checks
    from transforms.context import write_context
    from transforms.models import discover
    from warehouse.status import reference_time

    load_pending(home)
    models = discover()
    with warehouse(home) as con:
        write_context(con, config, identities_csv or config.identities_file)
    built = build(home, layers=("staging", "core", "marts"), models=models)
    with warehouse(home) as con:
        results = run_checks(con, [m for m in models if m.layer != "staging"]) if check else []
        reference = reference_time(con)
    return TransformResult(built, results, reference)
