"""The mapped tasks of one DAG run share the config's request cap and budget."""

from __future__ import annotations

import json
import subprocess
import sys

from x_fixtures import FakeClock, collector, posting_world, serving, write_config

from tiemeter.collectors.x_api.budget import DEFAULT_PRICES_USD, BudgetExhausted
from tiemeter.collectors.x_api.shared_budget import SharedBudget

FULL_PAGE_USD = 100 * DEFAULT_PRICES_USD["post_read"]  # a search page of 100 tweets
SEARCH = "/2/tweets/search/recent"

WORKER = """
import sys
from pathlib import Path
from tiemeter.collectors.x_api.budget import BudgetExhausted, DEFAULT_PRICES_USD
from tiemeter.collectors.x_api.shared_budget import SharedBudget
budget = SharedBudget(Path(sys.argv[1]), 1000, float(sys.argv[2]), dict(DEFAULT_PRICES_USD))
made = 0
while True:
    try:
        budget.check("/2/tweets/search/recent", 100)
    except BudgetExhausted:
        break
    budget.charge("/2/tweets/search/recent", 100)
    made += 1
print(made)
"""


def test_processes_racing_for_one_budget_never_pass_it(tmp_path):
    path = tmp_path / "budgets" / "run.json"
    max_usd = 4.2
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(max_usd)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    made = [int(w.communicate(timeout=60)[0]) for w in workers]
    fits = int(max_usd // FULL_PAGE_USD)  # 8 pages of $0.50 fit in $4.20
    assert sum(made) == fits
    state = json.loads(path.read_text())
    assert state["requests"] == fits and abs(state["spent_usd"] - fits * FULL_PAGE_USD) < 1e-9
    assert abs(state["reserved_usd"]) < 1e-9


def test_reservations_hold_the_worst_case_until_the_page_arrives(tmp_path):
    path = tmp_path / "run.json"
    task_a = SharedBudget(path, 100, 1.2, dict(DEFAULT_PRICES_USD))
    task_b = SharedBudget(path, 100, 1.2, dict(DEFAULT_PRICES_USD))
    task_a.check(SEARCH, 100)
    task_b.check(SEARCH, 100)  # $1.00 reserved between them
    try:
        task_a.check(SEARCH, 100)
    except BudgetExhausted as stop:
        assert "this DAG run's tasks" in str(stop)
    else:
        raise AssertionError("a third full page could pass the budget")
    task_a.charge(SEARCH, 10)  # the page held 10 tweets: $0.05 spent, $0.50 still reserved by b
    task_a.check(SEARCH, 100)  # 0.05 + 0.50 + 0.50 <= 1.20
    task_a.release()  # a's request never came back: its reservation is returned
    state = json.loads(path.read_text())
    assert abs(state["spent_usd"] - 10 * DEFAULT_PRICES_USD["post_read"]) < 1e-9
    assert abs(state["reserved_usd"] - FULL_PAGE_USD) < 1e-9
    assert state["requests"] == 3


def test_two_tasks_of_one_dag_run_share_the_budget_and_another_run_has_its_own(home, tmp_path):
    world = posting_world(350)
    clock = FakeClock()
    with serving(world, clock) as api:
        # two full pages fit in $1.20, a third could not
        config = write_config(tmp_path / "t.toml", api.base_url, budget_usd_per_run=1.2)
        first = collector(home, config, clock, shared_budget_key="dag__run1").run(["campaign:door"])
        second = collector(home, config, clock, shared_budget_key="dag__run1").run(["campaign:door"])
        assert len(api.requests) == 2
        other = collector(home, config, clock, shared_budget_key="dag__run2").run(["campaign:door"])
    assert first.stopped and first.totals.pages == 2
    assert second.stopped and "this DAG run's tasks" in second.stopped and second.totals.pages == 0
    assert other.totals.pages == 2  # a new DAG run: the cursor resumed where run1 stopped
    assert len(api.requests) == 4
