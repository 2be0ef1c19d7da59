"""The code Airflow tasks run. DAG files stay thin: no I/O at parse time, logic here.

Errors are translated so that Airflow retries only what can succeed: a ``FatalError`` fails the
task at once, a ``SkippableError`` skips it, anything else (including ``RetriableError``) is
left to the DAG's ``retries``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TypeVar

from tiemeter.errors import FatalError, SkippableError
from tiemeter.settings import Home

log = logging.getLogger(__name__)
T = TypeVar("T")


def airflow_errors(func: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        try:
            return func(*args, **kwargs)
        except FatalError as error:
            raise AirflowFailException(str(error)) from error
        except SkippableError as error:
            raise AirflowSkipException(str(error)) from error

    return wrapper


def resolve_home() -> Home:
    """``TIEMETER_HOME`` / ``TIEMETER_DB`` from the worker's environment, read when the task runs."""
    return Home.resolve()


@airflow_errors
def load_landing() -> str:
    from warehouse.operations import load

    result = load(resolve_home())
    log.info("%s", result.summary())
    if result.load.failed:
        raise FatalError(
            f"{len(result.load.failed)} landing file(s) failed to load: {result.load.failed[0].error}"
        )
    return result.summary()


@airflow_errors
def collect_x(units: list[str] | None = None) -> str:
    """One X collection: every unit of the config (``TIEMETER_CONFIG``), or the given ones.

    A run stopped early on purpose (budget, request cap, a rate-limit wait longer than
    ``x.max_rate_limit_wait_s``) ends the task successfully with its cursors saved instead of holding
    a worker slot; the next run resumes. Failed jobs raise once the others have finished.
    """
    from collectors.x_api.collector import XCollector
    from tiemeter.config import load_config
    from tiemeter.credentials import x_config_and_token

    config, token = x_config_and_token(load_config())
    result = XCollector(config, resolve_home(), token).run(units)
    log.info("%s", result.summary())
    result.raise_for_errors()
    if result.stopped:
        log.warning("stopped early, cursors saved, the next run resumes: %s", result.stopped)
    return result.summary()
