"""The wheel: what `pip install .` puts into site-packages, and that a non-editable install runs
`tiemeter transform` on its own files (not this checkout's).

Building the wheel asks the package index for setuptools (build isolation), as `pip install .` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
# Without PYTHONPATH (make exports the checkout): pip would take the checkout's own metadata for an
# installed tiemeter and install nothing.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [*PIP, "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (path,) = out.glob("tiemeter-*.whl")
    return path


def _expected_files() -> set[str]:
    """Every module of the listed packages, and every dbt project file, from the checkout itself."""
    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    expected = set()
    for package in packages:
        folder = REPO / package.replace(".", "/")
        expected |= {p.relative_to(REPO).as_posix() for p in folder.glob("*.py")}
    transforms = REPO / "transforms"
    for path in transforms.rglob("*"):
        rel = path.relative_to(transforms)
        if path.suffix in (".sql", ".yml", ".py") and rel.parts[0] not in ("target", "logs"):
            expected.add(path.relative_to(REPO).as_posix())
    return expected


def test_the_wheel_holds_every_module_and_every_dbt_project_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = _expected_files()
    assert "transforms/models/marts/network_pagerank.py" in expected
    assert {p for p in expected if p.startswith("transforms/macros/")} == {
        f"transforms/macros/{p.name}" for p in (REPO / "transforms" / "macros").glob("*.sql")
    }
    assert sorted(expected - names) == []
    # nothing of the checkout's other folders: tests, benchmarks, DAG files, docs
    tops = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert tops == {"tiemeter", "collectors", "warehouse", "transforms", "reports", "demo"}


def test_a_non_editable_install_runs_transform(wheel, tmp_path):
    """A fresh venv with the wheel installed (not editable); its dependencies are this venv's, reached
    through a .pth file (no download). Run from an empty folder, without PYTHONPATH."""
    venv = tmp_path / "venv"
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
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = dict(CLEAN_ENV)
    env["TIEMETER_HOME"] = str(tmp_path / "home")
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()

    imported = subprocess.run(
        [
            str(python),
            "-c",
            "import transforms, tiemeter; print(transforms.__file__); print(tiemeter.__file__)",
        ],
        cwd=run_dir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
    where = imported.stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), where

    result = subprocess.run(
        [str(venv / "bin" / "tiemeter"), "transform"],
        cwd=run_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    models = [
        p
        for layer in ("staging", "core", "marts")
        for p in (site / "transforms" / "models" / layer).iterdir()
        if p.suffix in (".sql", ".py") and not p.name.startswith("_")
    ]
    assert f"built {len(models)} model(s)" in result.stdout
    assert (tmp_path / "home" / "tiemeter.duckdb").is_file()
    assert not (run_dir / "transforms").exists()
