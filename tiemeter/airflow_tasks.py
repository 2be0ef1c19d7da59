"""The code Airflow tasks run. DAG files stay thin: no I/O at parse time, logic here.

An error's outcome (``tiemeter.errors.Outcome``) decides the task's state, here and only here:
fatal fails the task at once, skip skips it, incomplete (stopped early on purpose, cursors saved)
ends it successfully with a warning, retry is left to the DAG's ``retries``. Errors that are not
ours (a bug, an unexpected library error) are left to ``retries`` too.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TypeVar

from tiemeter.collectors.blogs import blog_http_policy, collect_blogs
from tiemeter.collectors.conversions_import import conversions_importer
from tiemeter.collectors.http import HttpClient
from tiemeter.collectors.imports import raise_for_rejections
from tiemeter.collectors.x_api.collector import XCollector
from tiemeter.collectors.x_api.units import plan_units
from tiemeter.config import load_config
from tiemeter.credentials import x_config_and_token
from tiemeter.errors import FatalError, IncompleteRun, Outcome, TiemeterError
from tiemeter.landing import new_run_id
from tiemeter.operations import build, check, load, raise_for_failed_loads
from tiemeter.reports.report import write_report
from tiemeter.settings import Home, replay_offset_s
from tiemeter.warehouse.export import export

log = logging.getLogger(__name__)
T = TypeVar("T")


def airflow_errors(func: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        try:
            return func(*args, **kwargs)
        except TiemeterError as error:
            if error.outcome is Outcome.FATAL:
                raise AirflowFailException(str(error)) from error
            if error.outcome is Outcome.SKIP:
                raise AirflowSkipException(str(error)) from error
            if error.outcome is Outcome.INCOMPLETE:
                log.warning("stopped early, cursors saved, the next run resumes: %s", error)
                return str(error)
            raise  # Outcome.RETRY: the DAG's retries

    return wrapper


def resolve_home() -> Home:
    """``TIEMETER_HOME`` / ``TIEMETER_DB`` (and the config's ``[warehouse]``, ``TIEMETER_CONFIG``) from
    the worker's environment, read when the task runs."""
    return Home.resolve(warehouse=load_config().warehouse)


@airflow_errors
def collect_x(
    units: list[str] | None = None, dag_run: str | None = None, replay_now: str | None = None
) -> str:
    """One X collection: every unit of the config (``TIEMETER_CONFIG``), or the given ones.

    Tasks given the same ``dag_run`` share one request cap and budget (the config's "per run").
    A run stopped early on purpose (budget, request cap, a rate-limit wait longer than
    ``x.max_rate_limit_wait_s``) ends the task successfully with its cursors saved instead of holding
    a worker slot; the next run resumes. Failed jobs raise once the others have finished.

    ``replay_now`` (a DAG run's conf ``{"replay_now": ISO time}``, as ``make cluster`` triggers the
    demo) sets the replay clock for this task alone, as ``TIEMETER_REPLAY_NOW`` does for a process.
    """
    config, token = x_config_and_token(load_config())
    offset = replay_offset_s(replay_now)
    collector = XCollector(config, resolve_home(), token, shared_budget_key=dag_run, now_offset_s=offset)
    result = collector.run(units)
    log.info("%s", result.summary())
    result.raise_for_errors()
    if result.stopped:
        raise IncompleteRun(f"{result.summary()}; {result.stopped}")
    return result.summary()


def plan_x_units() -> list[str]:
    """The X collection units of the config: one mapped task each."""
    return plan_units(load_config())


def plan_blogs() -> list[str]:
    return [blog.name for blog in load_config().blogs]


@airflow_errors
def collect_blog(name: str) -> str:
    """One blog. A feed that fails is reported and the blog's other feeds go on; then the task is
    skipped (some feeds failed) or failed (none landed), as the command line exits 3 or 1. The other
    blogs are other tasks."""
    config = load_config()
    blogs = [b for b in config.blogs if b.name == name]
    if not blogs:
        raise FatalError(f"no [[blogs]] entry named {name!r} in the config")
    client = HttpClient(policy=blog_http_policy(config))
    report = collect_blogs(
        blogs, resolve_home(), client=client, disqus_config=config.disqus, busy_wait_s=config.collect.wait_s
    )
    summary = "; ".join(run.summary() for run in report.runs)
    log.info("%s", summary)
    for failure in report.failures:
        log.warning("%s", failure)
    report.raise_for_failures(": " + "; ".join(report.failures))  # as `tiemeter collect blogs` does
    return summary


@airflow_errors
def load_and_import() -> str:
    """Import the config's conversions CSVs (each file once), then load every pending landing file."""
    home = resolve_home().ensure()
    run_id = new_run_id()
    config = load_config()
    importer = conversions_importer(config.conversions_decimal_separator)
    imported = [importer(path, home.landing, run_id) for path in config.conversions_files]
    for result in imported:
        log.info("%s", result.summary())
    report = load(home)
    log.info("%s", report.summary())
    raise_for_failed_loads(report)
    # after loading: rejected rows skip this task (or fail it, when nothing was good), as
    # `tiemeter import conversions` exits 3 (or 1); the build runs after a skipped load
    raise_for_rejections(imported)
    return report.summary()


@airflow_errors
def build_warehouse() -> str:
    """``dbt run`` of the whole project (staging, core, marts), once per run."""
    result = build(resolve_home(), load_config(), progress=log.info)
    return result.summary()


@airflow_errors
def check_warehouse() -> str:
    """``dbt test``: every data test; a failed test fails the task (and the export waits)."""
    result = check(resolve_home(), progress=log.info)
    result.raise_for_failures()
    return result.summary()


@airflow_errors
def export_warehouse() -> str:
    """Parquet, CSV, the read-only snapshot, and the HTML report beside them."""
    home = resolve_home()
    summary = export(home).summary()
    return f"{summary}; report {write_report(home)}"
