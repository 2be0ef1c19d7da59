"""Where the DAG files are: the folder of the package ``tiemeter.dags`` (``dags/`` in a checkout, which
the editable install maps there; ``site-packages/tiemeter/dags`` in an installed tiemeter).

Set Airflow's DAG folder to it: ``AIRFLOW__CORE__DAGS_FOLDER=$(python -m tiemeter.dag_files)``.
The package is found, not imported: the app does not import the DAG layer above it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def dags_folder() -> Path:
    spec = importlib.util.find_spec("tiemeter.dags")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("tiemeter.dags is not installed: reinstall tiemeter (pip install .)")
    return Path(next(iter(spec.submodule_search_locations)))


if __name__ == "__main__":
    print(dags_folder())
