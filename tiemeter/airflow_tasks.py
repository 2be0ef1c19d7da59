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
