"""Shared fixtures and the layout of the suite. Airflow's home and DAG folder are set before anything
imports Airflow.

Folders mirror the layers: ``unit/`` (pure Python), ``warehouse/`` (the loader and the dbt models on a
temporary home's DuckDB, no server), ``integration/`` (collectors and the CLI against the loopback fake
servers), ``airflow/`` (the DagBag and ``dag.test()`` runs). ``helpers/`` holds the modules they share.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))

from support import REALDATA, REALDATA_MISSING, REPO, run_cli  # noqa: E402

os.environ.setdefault("AIRFLOW_HOME", str(REPO / ".tiemeter" / "airflow"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
# Tests must never reach the internet: only loopback servers.
for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(proxy, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

TESTS = Path(__file__).resolve().parent
REALDATA_NAMES = ("REALDATA", "realdata", "realdata_files")


def pytest_configure(config):
    config.addinivalue_line("markers", "realdata: reads the real samples in ../shared/realdata")


def pytest_report_header(config):
    state = "found" if REALDATA.is_dir() else "MISSING: the tests marked realdata will fail"
    return f"realdata: {REALDATA} ({state})"


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and any(hasattr(module, name) for name in REALDATA_NAMES):
            item.add_marker(pytest.mark.realdata)


def pytest_runtest_setup(item):
    if item.get_closest_marker("realdata") and not REALDATA.is_dir():
        pytest.fail(REALDATA_MISSING, pytrace=False)


def pytest_terminal_summary(terminalreporter):
    if not REALDATA.is_dir():
        terminalreporter.write_sep("!", REALDATA_MISSING, red=True)


@pytest.fixture
def home(tmp_path: Path):
    from tiemeter.settings import Home

    return Home.resolve(tmp_path / "home").ensure()


@pytest.fixture
def cli():
    return run_cli
