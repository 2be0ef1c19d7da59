"""The installed layout of a checkout, as links: ``DEST/tiemeter/`` holds what ``tiemeter/`` holds, and
each folder that pyproject.toml's ``[tool.setuptools.package-dir]`` maps under ``tiemeter.`` (collectors,
warehouse, ...) under its installed name. import-linter reads packages from the file system, not through
the editable install's import hook, so ``make lint`` and tests/unit/test_layers.py run it on this tree.

    python tests/helpers/installed_layout.py DEST
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "tiemeter"


def package_dirs(repo: Path = REPO) -> dict[str, Path]:
    """{installed name under tiemeter: the repo folder}: {"collectors": REPO/collectors, ...}."""
    mapping = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    folders = {}
    for name, folder in mapping.items():
        parent, _, child = name.rpartition(".")
        if parent != PACKAGE:
            raise SystemExit(
                f"pyproject.toml package-dir {name!r}: only tiemeter.<name> mappings are handled"
            )
        folders[child] = repo / folder
    return folders


def build(dest: Path, repo: Path = REPO) -> Path:
    """Make (or remake) DEST/tiemeter; returns DEST."""
    root = dest / PACKAGE
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    links = {p.name: p for p in (repo / PACKAGE).iterdir() if p.name != "__pycache__"}
    for name, folder in package_dirs(repo).items():
        if name in links:
            raise SystemExit(f"tiemeter/{name} exists and pyproject.toml maps {folder.name}/ there too")
        links[name] = folder
    for name, target in links.items():
        (root / name).symlink_to(target.resolve(), target_is_directory=target.is_dir())
    return dest


if __name__ == "__main__":
    print(build(Path(sys.argv[1]).resolve()))
