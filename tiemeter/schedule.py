"""The DAGs' schedule: ``TIEMETER_SCHEDULE``, else ``schedule`` in the config file, else hourly.

A DAG needs its schedule when the file is parsed. Reading one key of a small local TOML file is the
only I/O the DAG files do at parse time; a missing or broken config falls back to the default
instead of failing the parse (the tasks report the broken config when they run).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

DEFAULT_SCHEDULE = "@hourly"


def dag_schedule() -> str | None:
    """``"none"`` (any case): no schedule, the DAGs run when triggered (``make cluster`` triggers the
    demo's runs itself: Airflow runs an unpaused cron schedule's latest interval at once)."""
    value = os.environ.get("TIEMETER_SCHEDULE", "").strip()
    if not value:
        path = Path(os.environ.get("TIEMETER_CONFIG") or "tiemeter.toml")
        try:
            configured = tomllib.loads(path.read_text("utf-8")).get("schedule")
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            configured = None
        value = configured.strip() if isinstance(configured, str) else ""
    if not value:
        return DEFAULT_SCHEDULE
    return None if value.lower() == "none" else value


def dag_retries() -> int:
    """``TIEMETER_TASK_RETRIES`` (default 2): tests and the demo set 0 so a failure shows at once."""
    value = os.environ.get("TIEMETER_TASK_RETRIES", "").strip()
    return int(value) if value.isdigit() else 2


def collect_dag_settings() -> dict:
    """What the collect DAGs share: the configured schedule, no catch-up, one run at a time, retries."""
    import pendulum

    return {
        "schedule": dag_schedule(),
        "start_date": pendulum.datetime(2024, 1, 1, tz="UTC"),
        "catchup": False,
        "max_active_runs": 1,
        "default_args": {
            "retries": dag_retries(),
            "retry_delay": pendulum.duration(minutes=2),
            "retry_exponential_backoff": True,
        },
        "tags": ["tiemeter"],
    }
