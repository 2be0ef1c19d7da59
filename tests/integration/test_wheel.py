"""The wheel: what `pip install .` puts into site-packages (one top-level name, ``tiemeter``), and that a
non-editable install runs the demo (the three DAGs through Airflow), `tiemeter transform` and
`tiemeter docs`, and that Airflow parses the DAG files it ships, all from its own files, not this
checkout's.

Building the wheel asks the package index for setuptools (build isolation), as `pip install .` does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from case_study_counts import followers, sharing_tweets
from support import REPO

from tiemeter.demo.case_study import build_case_study

PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
# Without PYTHONPATH (make exports the checkout): pip would take the checkout's own metadata for an
# installed tiemeter and install nothing, and the venv's Python would import the checkout.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("AIRFLOW")}
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
# the checkout's folders that install under tiemeter/, read from the file system (not from pyproject)
LAYOUT = ("collectors", "warehouse", "transforms", "reports", "demo", "dags")
SOURCE_SUFFIXES = {"transforms": (".py", ".sql", ".yml")}


def _clean_copy(dest: Path) -> Path:
    """The checkout's files as git sees them (tracked, and new ones not ignored): a build in the checkout
    itself would pack whatever an earlier build left in build/lib (setuptools copies all of it)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = _clean_copy(tmp_path_factory.mktemp("source"))
    done = subprocess.run(
        [*PIP, "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (path,) = out.glob("tiemeter-*.whl")
    return path


def _expected_files() -> set[str]:
    """Where each of the checkout's source files lands in the wheel: tiemeter/ as it is, each layout
    folder as tiemeter/<folder>/ (every module, and every dbt project file of transforms/)."""
    expected = set()
    for folder in ("tiemeter", *LAYOUT):
        base = REPO / folder
        for path in base.rglob("*"):
            rel = path.relative_to(base)
            if rel.parts[0] in ("target", "logs") or "__pycache__" in rel.parts:
                continue
            if path.suffix in SOURCE_SUFFIXES.get(folder, (".py",)):
                inside = rel.as_posix() if folder == "tiemeter" else f"{folder}/{rel.as_posix()}"
                expected.add(f"tiemeter/{inside}")
    return expected


def test_the_wheel_installs_one_name_holding_every_module_and_dbt_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = _expected_files()
    assert "tiemeter/transforms/models/marts/network_pagerank.py" in expected
    assert "tiemeter/collectors/x_api/paginate.py" in expected
    assert "tiemeter/dags/tiemeter_collect_x.py" in expected
    assert {p for p in expected if p.startswith("tiemeter/transforms/macros/")} == {
        f"tiemeter/transforms/macros/{p.name}" for p in (REPO / "transforms" / "macros").glob("*.sql")
    }
    assert sorted(expected - names) == []
    # one top-level name in site-packages, and its metadata; nothing of tests, benchmarks or docs
    assert {name.split("/")[0] for name in names} == {"tiemeter", f"tiemeter-{VERSION}.dist-info"}
    assert not [n for n in names if n.startswith(("tiemeter/tests/", "tiemeter/bench/", "tiemeter/docs/"))]


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> dict:
    """A fresh venv with the wheel installed (not editable); its dependencies are this venv's, reached
    through a .pth file (no download)."""
    base = tmp_path_factory.mktemp("venv")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [*PIP, "--python", str(python), "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # this Python's site-packages folders, as plain path entries: their .pth files (the editable install's
    # import hook among them) are not run
    deps = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "dependencies.pth").write_text("".join(f"{p}\n" for p in deps))
    run_dir = base / "elsewhere"  # an empty folder: nothing of the checkout around
    run_dir.mkdir()
    env = dict(CLEAN_ENV, AIRFLOW_HOME=str(base / "airflow"), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    return {"python": python, "bin": venv / "bin", "site": site, "cwd": run_dir, "env": env}


def _run(venv: dict, *argv, env=None, timeout=600) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=venv["cwd"],
        env=env or venv["env"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{argv}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def test_the_installed_modules_are_the_wheels(venv):
    names = ("tiemeter", "tiemeter.collectors", "tiemeter.transforms", "tiemeter.dags", "tiemeter.demo")
    code = f"import importlib; print('\\n'.join(importlib.import_module(n).__file__ for n in {names!r}))"
    where = _run(venv, venv["python"], "-c", code).stdout.split()
    assert len(where) == len(names)
    assert all(Path(p).is_relative_to(venv["site"] / "tiemeter") for p in where), where
    # no generic top-level names in the user's environment
    code = "import importlib.util as u; print([n for n in ('collectors', 'warehouse', 'transforms', "
    code += "'reports', 'demo', 'dags') if u.find_spec(n)])"
    assert _run(venv, venv["python"], "-c", code).stdout.strip() == "[]"


def test_a_non_editable_install_runs_the_demo_and_transform(venv):
    """`python -m tiemeter.demo.run` from the installed wheel, in an empty folder (its state goes to
    ./.tiemeter there: Airflow's database, the demo home), then `tiemeter transform` and `tiemeter docs`
    on the demo's home; the numbers are the case study's, counted from its data in plain Python."""
    demo = _run(venv, venv["python"], "-m", "tiemeter.demo.run", timeout=1200)
    assert "a DAG run did not succeed" not in demo.stderr
    home = venv["cwd"] / ".tiemeter" / "demo"
    env = dict(venv["env"], TIEMETER_HOME=str(home), TIEMETER_CONFIG=str(home / "tiemeter.toml"))
    built = _run(venv, venv["bin"] / "tiemeter", "transform", env=env)
    models = [
        p
        for layer in ("staging", "core", "marts")
        for p in (venv["site"] / "tiemeter" / "transforms" / "models" / layer).iterdir()
        if p.suffix in (".sql", ".py") and not p.name.startswith("_")
    ]
    assert f"built {len(models)} model(s)" in built.stdout
    assert not (venv["cwd"] / "transforms").exists()  # dbt ran on the installed project

    # the campaign's numbers, from the case study's data in plain Python (tests/helpers/case_study_counts.py)
    study = build_case_study()
    shares, count = sharing_tweets(study), followers(study)
    sql = (
        "SELECT sharing_tweets, amplifiers, potential_impressions, conversions, conversion_amount "
        "FROM marts.campaign_summary"
    )
    code = f"import duckdb, json, sys; print(json.dumps(duckdb.connect(sys.argv[1], read_only=True).sql({sql!r}).fetchall(), default=float))"
    got = json.loads(_run(venv, venv["python"], "-c", code, home / "tiemeter.duckdb").stdout)
    donations = study.donations
    assert got == [
        [
            len(shares),
            len({t["author_id"] for t in shares}),
            sum(count[t["author_id"]] for t in shares),
            len(donations),
            sum(float(d["amount"]) for d in donations),
        ]
    ]
    # the demo's own table says the same (its donors line)
    assert re.search(rf"^\s+donors\s+{len(donations):,}\s", demo.stdout, re.M), demo.stdout

    # the report's links to the metrics doc reach the installed copy of docs/metrics.md
    report = (home / "exports" / "report.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="(file://[^"]*metrics\.md)"', report))
    assert links == {(venv["site"] / "tiemeter" / "reports" / "metrics.md").as_uri()}
    installed = Path(links.pop().removeprefix("file://"))
    assert installed.read_bytes() == (REPO / "docs" / "metrics.md").read_bytes()

    # `tiemeter docs` writes into the user's home and says where, never beside site-packages
    docs = _run(venv, venv["bin"] / "tiemeter", "docs", env=env)
    assert str(home / "data-dictionary.md") in docs.stdout
    assert "marts.campaign_summary" in (home / "data-dictionary.md").read_text(encoding="utf-8")
    assert not list(venv["site"].parent.rglob("data-dictionary.md"))


def test_airflow_parses_the_installed_dag_files(venv):
    """The demo points Airflow's DAG folder at ``tiemeter.dag_files.dags_folder()``: the installed copy."""
    code = (
        "import json; from airflow.dag_processing.dagbag import DagBag; from tiemeter.dag_files import dags_folder\n"
        "bag = DagBag(dag_folder=str(dags_folder()))\n"
        "print(json.dumps({'folder': str(dags_folder()), 'dags': sorted(bag.dags), 'errors': bag.import_errors}))"
    )
    got = json.loads(_run(venv, venv["python"], "-c", code).stdout.strip().splitlines()[-1])
    assert got["folder"] == str(venv["site"] / "tiemeter" / "dags")
    assert got["errors"] == {}
    expected = {p.stem for p in (REPO / "dags").glob("tiemeter_*.py")}  # one DAG per file, named for it
    assert set(got["dags"]) == expected and len(expected) == 3
