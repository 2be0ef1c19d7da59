"""Shared fixtures. Airflow's home and DAG folder are set before anything imports Airflow."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REALDATA = SHARED / "realdata"

os.environ.setdefault("AIRFLOW_HOME", str(REPO / ".tiemeter" / "airflow"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
# Tests must never reach the internet: only loopback servers.
for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(proxy, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


@pytest.fixture
def home(tmp_path: Path):
    from tiemeter.settings import Home

    return Home.resolve(tmp_path / "home").ensure()


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"


def run_cli(home, *args: str) -> CliResult:
    """Run ``tiemeter --home HOME ARGS...`` in this process and capture what it prints."""
    from tiemeter.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--home", str(home.root), *args])
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


def query(home, sql: str, params=None) -> list[tuple]:
    with contextlib.closing(duckdb.connect(str(home.db_path), read_only=True)) as con:
        return con.execute(sql, params or []).fetchall()


def scalar(home, sql: str, params=None):
    return query(home, sql, params)[0][0]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test whose module reads the real samples fails at once, naming the missing folder, instead
    of failing somewhere inside with a file-not-found."""
    module = getattr(item, "module", None)
    if module is not None and "REALDATA" in vars(module) and not REALDATA.is_dir():
        pytest.fail(
            f"{REALDATA} is missing: this test reads the real X and blog samples in ../shared/realdata "
            "(beside the checkout); put the shared folder there",
            pytrace=False,
        )
