"""The layers of the README's "Layout": checked on the source, not on what the code happens to import
at run time. import-linter checks the packages (pyproject.toml) through the checkout's links tiemeter/collectors ->
collectors/ and the others; this file checks what it cannot see: imports hidden inside
functions, and that nothing imports a layout folder by its bare name instead of under ``tiemeter.``."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# the checkout's folders installed under tiemeter. (pyproject.toml package-dir): collectors, warehouse, ...
MAPPED = {
    name.removeprefix("tiemeter."): REPO / folder
    for name, folder in tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-dir"
    ].items()
}
# the folders whose code may not import inside a function (the DAG files may: Airflow parse time)
PACKAGES = ("tiemeter", *(name for name in MAPPED if name != "dags"))
# The app modules a DAG file may import (dags/ -> app only).
APP = {"tiemeter.airflow_tasks", "tiemeter.assets", "tiemeter.schedule"}
# Third-party imports that stay lazy: Airflow only exists under Airflow; dbt, altair and the chart
# bundle take seconds to import and only `transform` / `report` need them (the command line starts in
# well under a second without them).
LAZY_THIRD_PARTY = {"airflow", "dbt", "altair", "vl_convert", "pendulum"}


def _imports(node: ast.AST) -> list[tuple[int, str]]:
    found = []
    for child in ast.walk(node):
        if isinstance(child, ast.Import):
            found += [(child.lineno, alias.name) for alias in child.names]
        elif isinstance(child, ast.ImportFrom) and child.level == 0:
            found.append((child.lineno, child.module))
    return found


def _function_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.update(_imports(node))
    return sorted(found)


def test_no_import_inside_a_function_outside_the_dag_files():
    offenders = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            for line, module in _function_imports(path):
                if module.split(".")[0] not in LAZY_THIRD_PARTY:
                    offenders.append(f"{path.relative_to(REPO)}:{line}: import {module}")
    assert offenders == []


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n\ndef f():\n    from tiemeter.warehouse.connection import warehouse\n    import json\n"
    )
    assert _function_imports(sample) == [(4, "tiemeter.warehouse.connection"), (5, "json")]


def test_dag_files_import_only_the_app():
    dag_files = sorted(p for p in (REPO / "dags").glob("*.py") if p.name != "__init__.py")
    assert len(dag_files) == 3
    ours = []
    for path in dag_files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, module in _imports(tree):
            if module.split(".")[0] in ("tiemeter", *MAPPED):
                ours.append(module)
                assert module in APP, f"{path.name}:{line} imports {module}, which is not the app"
    # every DAG file reaches its logic through the app's task bodies
    assert "tiemeter.airflow_tasks" in ours


def test_nothing_imports_a_layout_folder_by_its_bare_name():
    """Everything of ours is imported as ``tiemeter.<name>``: a bare ``collectors`` would import in a
    checkout (its folder is on the path) and fail in an installed tiemeter, which has no such package."""
    offenders = []
    for path in sorted(REPO.rglob("*.py")):
        rel = path.relative_to(REPO)
        if rel.parts[0].startswith(".") or rel.parts[0] in ("build", "data") or "__pycache__" in rel.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in _imports(tree):
            if module.split(".")[0] in MAPPED:
                offenders.append(f"{rel}:{line}: import {module}")
    assert offenders == []


def test_the_checkout_links_each_mapped_folder_where_it_installs():
    """tiemeter/<name> is a link to the folder pyproject installs as tiemeter.<name>, so that what
    reads the file system (import-linter) sees the installed layout."""
    assert MAPPED and "collectors" in MAPPED
    for name, folder in MAPPED.items():
        link = REPO / "tiemeter" / name
        assert link.is_symlink() and link.resolve() == folder.resolve(), link


def test_import_linter_contracts_hold():
    """`make lint` runs the same; here it also runs under plain pytest, from the repo root."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Contracts: 5 kept, 0 broken." in done.stdout
