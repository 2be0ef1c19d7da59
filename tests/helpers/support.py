"""What every test folder shares: where the repo and ../shared/realdata are, the CLI run in-process, and
read-only queries of a home's warehouse."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
REALDATA = SHARED / "realdata"
REALDATA_MISSING = (
    f"{REALDATA} is missing: these tests read the real API samples there; put the project's shared/ "
    f"folder beside the repository ({REPO.parent}/shared)"
)


def realdata(*parts: str) -> Path:
    """A path under ../shared/realdata; fails the test with a message naming what is missing."""
    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.fail(REALDATA_MISSING if not REALDATA.is_dir() else f"{path} is missing", pytrace=False)
    return path


def realdata_files(subdir: str, keep=lambda path: True) -> list[Path]:
    """The files of ../shared/realdata/SUBDIR, for parametrize. When the folder is missing: the folder
    alone, so that each test that needs it runs and fails saying so (tests marked ``realdata``)."""
    folder = REALDATA / subdir
    if not folder.is_dir():
        return [folder]
    return sorted(p for p in folder.iterdir() if keep(p))


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


def query(home, sql: str, params=None) -> list[tuple]:
    with contextlib.closing(duckdb.connect(str(home.db_path), read_only=True)) as con:
        return con.execute(sql, params or []).fetchall()


def scalar(home, sql: str, params=None):
    return query(home, sql, params)[0][0]
