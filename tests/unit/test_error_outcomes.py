"""An error's class decides what happens, and the command line and Airflow say the same thing about it
(the table of exit codes in the README)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

import tiemeter
from tiemeter import cli
from tiemeter.airflow_tasks import airflow_errors
from tiemeter.collectors.http import RateLimitWaitTooLong, RetriableHttpError, SkippableHttpError
from tiemeter.collectors.x_api.budget import BudgetExhausted
from tiemeter.commands import load as load_command
from tiemeter.config import ConfigError
from tiemeter.errors import CollectionBusy, FatalError, InputRejected, Outcome, TiemeterError
from tiemeter.transforms.project import DbtError
from tiemeter.warehouse.connection import WarehouseLocked

# README: exit code -> the Airflow state of the same condition
README = {1: "failed", 3: "skipped", 4: "success", 5: "retried"}
# README's table of exit codes (and tiemeter/errors.py's): each outcome's exit code
DOCUMENTED_EXIT_CODES = {Outcome.FATAL: 1, Outcome.SKIP: 3, Outcome.INCOMPLETE: 4, Outcome.RETRY: 5}

# every module of the package (the DAG files aside: Airflow parses those), so that every error class
# defined anywhere is a subclass of TiemeterError seen below
for _module in pkgutil.walk_packages(tiemeter.__path__, "tiemeter."):
    if not _module.name.startswith("tiemeter.dags"):
        importlib.import_module(_module.name)


def _error_classes(base: type = TiemeterError) -> list[type]:
    found = []
    for cls in base.__subclasses__():
        found += [cls, *_error_classes(cls)]
    return sorted(set(found) | {TiemeterError}, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _instance(cls: type) -> TiemeterError:
    """An instance with a message, without the class's own constructor arguments (status=, ...)."""
    error = cls.__new__(cls)
    Exception.__init__(error, f"{cls.__name__} happened")
    return error


CASES = [
    (FatalError("bad"), 1),
    (ConfigError("x.budget_usd_per_run: expected a number"), 1),
    (DbtError("a model failed"), 1),
    (SkippableHttpError("the API refused the request", status=400), 3),
    (InputRejected("2 input item(s) rejected"), 3),
    (BudgetExhausted("the run's budget of $1.00 is spent"), 4),
    (RateLimitWaitTooLong("the server asks to wait 900s", wait_seconds=900.0), 4),
    (CollectionBusy("X unit 'users' is being collected into this home by pid 1"), 5),
    (WarehouseLocked("another process holds the warehouse"), 5),
    (RetriableHttpError("503 after every retry", status=503), 5),
]


def _airflow_state(error: Exception) -> str:
    @airflow_errors
    def task() -> str:
        raise error

    try:
        task()
    except AirflowFailException:
        return "failed"
    except AirflowSkipException:
        return "skipped"
    except type(error) as raised:
        assert raised is error
        return "retried"  # left to the DAG's retries
    return "success"


def _exit_code(error: Exception, home, monkeypatch) -> int:
    def handler(args, home):
        raise error

    monkeypatch.setattr(load_command, "_status", handler)
    return cli.main(["--home", str(home.root), "status"])


@pytest.mark.parametrize(
    "error, code", CASES, ids=lambda v: type(v).__name__ if isinstance(v, Exception) else ""
)
def test_one_outcome_per_class_on_the_command_line_and_in_airflow(error, code, home, monkeypatch, capsys):
    assert _exit_code(error, home, monkeypatch) == code
    assert str(error) in capsys.readouterr().err
    assert _airflow_state(error) == README[code]


def test_a_long_rate_limit_wait_and_a_spent_budget_are_the_same_outcome(home, monkeypatch):
    wait = RateLimitWaitTooLong("wait 900s", wait_seconds=900.0)
    budget = BudgetExhausted("budget spent")
    assert wait.outcome is budget.outcome
    assert _exit_code(wait, home, monkeypatch) == _exit_code(budget, home, monkeypatch) == 4
    assert _airflow_state(wait) == _airflow_state(budget) == "success"


def test_an_error_that_is_not_ours_fails_the_command_and_is_retried_by_airflow(home, monkeypatch, capsys):
    error = KeyError("surprise")
    assert _exit_code(error, home, monkeypatch) == 1
    assert "KeyError" in capsys.readouterr().err
    assert _airflow_state(error) == "retried"


ALL_CLASSES = _error_classes()


def test_the_walk_finds_the_error_classes_of_every_layer():
    modules = {cls.__module__.split(".")[1] for cls in ALL_CLASSES}
    assert {"errors", "collectors", "warehouse", "transforms", "operations"} <= modules, modules


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_error_class_has_the_documented_exit_code_and_the_matching_airflow_state(
    cls, home, monkeypatch, capsys
):
    error = _instance(cls)
    code = _exit_code(error, home, monkeypatch)
    assert code == DOCUMENTED_EXIT_CODES[cls.outcome]
    assert str(error) in capsys.readouterr().err
    assert _airflow_state(error) == README[code]
