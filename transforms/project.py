"""Run the dbt project (this folder) on a tiemeter home, in-process, through dbt's programmatic runner.

dbt builds the models in dependency order, each in its own transaction, documents them with
COMMENT ON (``persist_docs``) and runs their tests. This module only points dbt at the home's
warehouse (``tiemeter.warehouse.connection.dbt_environment``), reports one line per model as it finishes,
and keeps the parsed project for the process: dbt parses once per process, and across processes
partial parsing reuses ``HOME/dbt/target``.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tiemeter.errors import FatalError
from tiemeter.settings import Home
from tiemeter.warehouse.connection import dbt_environment, warehouse, writer_lock

PROJECT_DIR = Path(__file__).resolve().parent
MODELS_DIR = PROJECT_DIR / "models"
LAYERS = ("staging", "core", "marts")

Progress = Callable[[str], None]


class DbtError(FatalError):
    pass


@dataclass(frozen=True)
class NodeResult:
    name: str  # schema.table for a model, the test's name for a test
    kind: str  # model | test | operation
    status: str  # success | error | skipped | pass | fail | warn
    seconds: float
    message: str = ""
    failures: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("success", "pass")

    def __str__(self) -> str:
        state = "ok" if self.ok else f"{self.status.upper()} ({self.failures} rows)"
        return f"{self.name}: {state}" + (f": {self.message}" if not self.ok and self.message else "")


@dataclass(frozen=True)
class BuildReport:
    """What one dbt command did: its models (in the order they finished) and tests."""

    command: str
    results: list[NodeResult]
    seconds: float
    model_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        return [r.name for r in self.results if r.kind == "model"]

    @property
    def tests(self) -> list[NodeResult]:
        return [r for r in self.results if r.kind == "test"]

    @property
    def failed_tests(self) -> list[NodeResult]:
        return [r for r in self.tests if not r.ok]

    @property
    def failed_models(self) -> list[NodeResult]:
        return [r for r in self.results if r.kind == "model" and not r.ok]

    def slowest(self, n: int = 5) -> list[tuple[str, float]]:
        return sorted(self.model_seconds.items(), key=lambda item: -item[1])[:n]


def layer_selector(layers: Iterable[str]) -> list[str]:
    return [f"path:models/{layer}" for layer in layers]


_lock = threading.Lock()
_manifests: dict[tuple, object] = {}


def _project_fingerprint() -> tuple:
    files = [
        p for p in PROJECT_DIR.rglob("*") if p.suffix in (".sql", ".py", ".yml") and "target" not in p.parts
    ]
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))


@contextlib.contextmanager
def _environment(home: Home) -> Iterator[None]:
    values = dbt_environment(home)
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _dbt_dirs(home: Home) -> list[str]:
    base = home.root / "dbt"
    return [
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(base / "target"),
        "--log-path",
        str(base / "logs"),
        "--log-level-file",
        os.environ.get("TIEMETER_DBT_LOG_LEVEL", "warn"),
    ]


def _manifest(home: Home):
    """The parsed project, once per process (per project state, database name and backend)."""
    from dbt.cli.main import dbtRunner

    key = (_project_fingerprint(), home.db_path.stem, home.is_lake)
    if key not in _manifests:
        result = dbtRunner().invoke(["parse", "--quiet", *_dbt_dirs(home)])
        if not result.success:
            raise DbtError(f"dbt could not parse transforms/: {result.exception}")
        _manifests.clear()
        _manifests[key] = result.result
    return _manifests[key]


def _release_warehouse() -> None:
    """Close dbt-duckdb's connection. It keeps one per process (a class attribute) after the command,
    which holds the file: the next reader in this process (a read-only connection) or writer in another
    would fail."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


@contextlib.contextmanager
def _dbt_session(home: Home) -> Iterator[None]:
    with _lock, _environment(home):
        try:
            yield
        finally:
            _release_warehouse()


def _on_event(progress: Progress | None, finished: list[NodeResult]) -> Callable:
    def callback(event) -> None:
        if event.info.name != "NodeFinished":
            return
        try:
            _finished(event)
        except Exception:  # an exception in a dbt callback would hang dbt's worker thread
            traceback.print_exc()

    def _finished(event) -> None:
        info = event.data.node_info
        result = event.data.run_result
        kind = info.resource_type
        relation = info.node_relation
        name = f"{relation.schema}.{relation.alias}" if kind == "model" and relation.alias else info.node_name
        node = NodeResult(
            name=name,
            kind=kind,
            status=result.status or info.node_status,
            seconds=float(result.execution_time or 0.0),
            message=" ".join((result.message or "").split())[:400],
            failures=int(result.num_failures or 0),
        )
        finished.append(node)
        if progress and kind == "model":
            state = "OK" if node.ok else node.status.upper()
            progress(f"  {state:<7} {name} ({info.materialized}) {node.seconds:.2f}s")
        elif progress and kind == "test" and not node.ok:
            progress(f"  {node.status.upper():<7} test {name}: {node.failures} row(s)")

    return callback


@contextlib.contextmanager
def warehouse_ready(home: Home) -> Iterator[None]:
    """Schemas, raw and meta tables exist before dbt reads them."""
    with warehouse(home):
        pass
    yield


def run_dbt(
    home: Home,
    command: str = "run",
    select: Iterable[str] = (),
    exclude: Iterable[str] = (),
    full_refresh: bool = False,
    progress: Progress | None = None,
    record: bool = True,
    indirect_selection: str | None = None,
) -> BuildReport:
    """``dbt <command>`` (run, build, test) on ``home``'s warehouse; raises DbtError when a model fails.

    Failing tests do not raise: they are in the report's ``failed_tests``.
    """
    # a build on a DuckLake runs alone (no load in flight): see tiemeter.warehouse.connection.writer_lock
    with writer_lock(home, exclusive=True) if command in ("run", "build") else contextlib.nullcontext():
        return _run_dbt(home, command, select, exclude, full_refresh, progress, record, indirect_selection)


def _run_dbt(
    home: Home,
    command: str,
    select: Iterable[str],
    exclude: Iterable[str],
    full_refresh: bool,
    progress: Progress | None,
    record: bool,
    indirect_selection: str | None,
) -> BuildReport:
    from dbt.cli.main import dbtRunner

    with warehouse_ready(home):
        pass
    select, exclude = list(select), list(exclude)
    args = [command, "--quiet", "--no-write-json", *_dbt_dirs(home)]
    if select:
        args += ["--select", *select]
    if exclude:
        args += ["--exclude", *exclude]
    if indirect_selection:
        args += ["--indirect-selection", indirect_selection]
    if full_refresh and command in ("run", "build"):
        args.append("--full-refresh")
    finished: list[NodeResult] = []
    started = datetime.now(UTC)
    clock = time.perf_counter()
    with _dbt_session(home):
        runner = dbtRunner(manifest=_manifest(home), callbacks=[_on_event(progress, finished)])
        result = runner.invoke(args)
    seconds = time.perf_counter() - clock
    report = BuildReport(
        command=command,
        results=finished,
        seconds=seconds,
        model_seconds={r.name: r.seconds for r in finished if r.kind == "model"},
    )
    if result.exception is not None:
        raise DbtError(f"dbt {command} failed: {result.exception}")
    if report.failed_models:
        first = report.failed_models[0]
        raise DbtError(f"{len(report.failed_models)} model(s) failed, first {first.name}: {first.message}")
    if record and report.models:
        with warehouse(home) as con:
            con.execute(
                "INSERT INTO meta.builds VALUES (?, ?, ?, ?, ?)",
                [uuid.uuid4().hex, " ".join(select) or "all", len(report.models), started, datetime.now(UTC)],
            )
    return report


def build(
    home: Home,
    layers: Iterable[str] = ("staging", "core"),
    full_refresh: bool = False,
    progress: Progress | None = None,
    exclude: Iterable[str] = (),
) -> BuildReport:
    """``dbt run`` of ``layers`` (and, dbt-style, only them: their parents must exist); tests are
    ``run_tests``'s job."""
    return run_dbt(
        home,
        "run",
        select=layer_selector(layers),
        exclude=exclude,
        full_refresh=full_refresh,
        progress=progress,
    )


def run_tests(
    home: Home, select: Iterable[str] = (), cautious: bool = False, progress: Progress | None = None
) -> BuildReport:
    """The data tests (schema.yml) of the selected models, on the warehouse as it is. ``cautious``:
    only tests all of whose models are selected (a relationship to an unselected model is left out)."""
    return run_dbt(
        home,
        "test",
        select=select,
        record=False,
        indirect_selection="cautious" if cautious else None,
        progress=progress,
    )


def model_names() -> list[str]:
    """schema.table of every model file."""
    return sorted(
        f"{layer}.{p.stem}"
        for layer in LAYERS
        for p in (MODELS_DIR / layer).iterdir()
        if p.suffix in (".sql", ".py") and not p.name.startswith("_")
    )


def serve_docs(home: Home, port: int = 8080) -> None:
    """dbt's documentation site (lineage graph, descriptions, tests, SQL) of ``home``'s warehouse."""
    from dbt.cli.main import dbtRunner

    with warehouse_ready(home), _dbt_session(home):
        generated = dbtRunner().invoke(["docs", "generate", *_dbt_dirs(home)])
        if not generated.success:
            raise DbtError(f"dbt docs generate failed: {generated.exception}")
        _release_warehouse()  # serving needs no warehouse: let the pipeline write while it serves
        dbtRunner().invoke(["docs", "serve", "--port", str(port), "--no-browser", *_dbt_dirs(home)])
