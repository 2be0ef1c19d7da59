"""One budget for all the tasks of an Airflow DAG run.

``tiemeter_collect_x`` maps one task per unit, and each task is a collector run of its own process,
possibly at the same time as others. ``x.budget_usd_per_run`` and ``x.max_requests_per_run`` are
meant for the whole DAG run, so its tasks share them through a small JSON file under an exclusive
lock. Before a request a task reserves the worst case (a full page); the real cost replaces the
reservation when the page arrives, and a task gives back what it still holds when it ends.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from tiemeter.collectors.state_files import StateFile, locked, read_json, write_json_atomic
from tiemeter.collectors.x_api.budget import Budget, BudgetExhausted

KEEP_DAYS = 30


def shared_budget_path(state_dir: Path, key: str) -> Path:
    return StateFile.for_key(state_dir, "budgets", key).path


class SharedBudget(Budget):
    def __init__(self, path: Path, max_requests: int, max_usd: float, prices: dict[str, float]):
        super().__init__(max_requests, max_usd, prices)
        self.path = path
        self._reserved: list[float] = []  # this task's reservations, oldest first
        path.parent.mkdir(parents=True, exist_ok=True)
        _prune(path.parent)

    @contextlib.contextmanager
    def _shared(self) -> Iterator[dict]:
        with locked(self.path):
            state = {"requests": 0, "spent_usd": 0.0, "reserved_usd": 0.0, **read_json(self.path, {})}
            yield state
            # a power cut may lose the last update: the next DAG run has a budget file of its own
            write_json_atomic(self.path, state, sync_dir=False)

    def check(self, endpoint: str, max_items: int) -> None:
        worst = self.cost(endpoint, max_items)
        with self._shared() as state:
            if state["requests"] + 1 > self.max_requests:
                raise BudgetExhausted(
                    f"request cap reached: {state['requests']} request(s) made by this DAG run's tasks, "
                    f"x.max_requests_per_run = {self.max_requests}"
                )
            committed = state["spent_usd"] + state["reserved_usd"]
            if committed + worst > self.max_usd + 1e-9:
                raise BudgetExhausted(
                    f"budget reached: ${committed:.3f} spent or reserved by this DAG run's tasks, the next "
                    f"{endpoint} request may cost up to ${worst:.3f}, x.budget_usd_per_run = ${self.max_usd:.2f}"
                )
            state["requests"] += 1
            state["reserved_usd"] += worst
        self._reserved.append(worst)
        self.requests += 1

    def charge(self, endpoint: str, items: int) -> float:
        cost = self.cost(endpoint, items)
        held = self._reserved.pop(0) if self._reserved else 0.0
        with self._shared() as state:
            state["reserved_usd"] = max(0.0, state["reserved_usd"] - held)
            state["spent_usd"] += cost
        self.spent_usd += cost
        return cost

    def release(self) -> None:
        """Give back the reservations of requests that never brought a page (failed, or interrupted)."""
        if not self._reserved:
            return
        held, self._reserved = sum(self._reserved), []
        with self._shared() as state:
            state["reserved_usd"] = max(0.0, state["reserved_usd"] - held)


def _prune(folder: Path) -> None:
    """Budgets of DAG runs older than a month are of no use."""
    cutoff = time.time() - KEEP_DAYS * 86400
    for path in folder.glob("*.json"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                path.with_name(path.name + ".lock").unlink(missing_ok=True)
