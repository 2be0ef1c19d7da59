"""What `tiemeter load` does, for tests that check the core tables: load, then build staging and core
when something new arrived (two operations, each one job)."""

from __future__ import annotations

from tiemeter.operations import build, load, needs_build
from tiemeter.settings import Home
from tiemeter.warehouse.loader import LoadReport


def load_core(home: Home) -> LoadReport:
    report = load(home)
    if needs_build(home, report):
        build(home, layers=("staging", "core"))
    return report
