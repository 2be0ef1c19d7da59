"""The pipeline operations the command line and the Airflow tasks call, one job each.

``load`` only loads (landing files into ``raw.*``), ``build`` only builds (dbt run of the chosen
layers), ``check`` only checks (dbt test). Commands and tasks compose them; none calls another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tiemeter.config import Config
from tiemeter.errors import FatalError
from tiemeter.settings import Home
from tiemeter.transforms.project import LAYERS, BuildReport, NodeResult, Progress, run_tests
from tiemeter.transforms.project import build as dbt_build
from tiemeter.warehouse.connection import retrying_transaction, warehouse
from tiemeter.warehouse.context import write_context
from tiemeter.warehouse.loader import LoadReport, load_pending, verify_and_load
from tiemeter.warehouse.status import core_built, reference_time


class LoadFailed(FatalError):
    """A landing file did not load; what landed is kept and the next load tries again."""


class ChecksFailed(FatalError):
    """A data test (schema.yml) failed."""


def load(home: Home, verify: bool = False, progress: Callable[..., None] | None = None) -> LoadReport:
    """Load every pending landing file into ``raw.*``, each once (``verify``: hash every loaded file
    against the ledger first)."""
    return verify_and_load(home, progress) if verify else load_pending(home, progress)


def raise_for_failed_loads(report: LoadReport) -> None:
    if report.failed:
        first = report.failed[0]
        raise LoadFailed(
            f"{len(report.failed)} landing file(s) failed to load ({first.landing_file}: {first.error}); "
            "what landed is kept and the next load tries again"
        )


def needs_build(home: Home, report: LoadReport) -> bool:
    """Whether staging and core are behind the raw tables: something new loaded, or never built."""
    if report.loaded:
        return True
    with warehouse(home, read_only=True) as con:
        return not core_built(con)


@dataclass
class BuildResult:
    build: BuildReport
    reference_time: str | None = None  # what marts.analysis_window measured from, and why

    def summary(self) -> str:
        text = f"built {len(self.build.models)} model(s) in {self.build.seconds:.1f}s"
        if self.reference_time:
            text += f"; reference time {self.reference_time}"
        return text


def build(
    home: Home,
    config: Config | None = None,
    identities_csv: Path | None = None,
    layers: tuple[str, ...] = LAYERS,
    full_refresh: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """``dbt run`` of ``layers`` on what is loaded. With ``config``, its metrics settings and identity
    map are written into ``meta`` first (the marts read them)."""
    if config is not None:
        with warehouse(home) as con:
            retrying_transaction(
                con, lambda: write_context(con, config, identities_csv or config.identities_file)
            )
    built = dbt_build(home, layers=layers, full_refresh=full_refresh, progress=progress)
    with warehouse(home, read_only=True) as con:
        reference = reference_time(con)
    return BuildResult(built, reference)


@dataclass
class CheckResult:
    report: BuildReport

    @property
    def checks(self) -> list[NodeResult]:
        return self.report.tests

    @property
    def failed(self) -> list[NodeResult]:
        return self.report.failed_tests

    def summary(self) -> str:
        return f"checks: {len(self.checks) - len(self.failed)} passed, {len(self.failed)} failed"

    def raise_for_failures(self) -> None:
        if self.failed:
            raise ChecksFailed(
                f"{len(self.failed)} data check(s) failed: " + "; ".join(str(t) for t in self.failed[:5])
            )


def check(home: Home, progress: Progress | None = None) -> CheckResult:
    """``dbt test``: every data test of the project on the warehouse as it is."""
    return CheckResult(run_tests(home, progress=progress))
