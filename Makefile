# tiemeter: `make demo` and `make test` set everything up themselves on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STATE := .tiemeter
INSTALLED := $(VENV)/.installed

# Airflow lives entirely under the gitignored .tiemeter/ folder of the repo.
export AIRFLOW_HOME := $(CURDIR)/$(STATE)/airflow
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PARALLELISM := 4
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export PYTHONPATH := $(CURDIR)

.PHONY: setup test demo bench lint format airflow cluster docs clean

$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

$(AIRFLOW_HOME)/airflow.db: $(INSTALLED)
	@mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(STATE)/airflow-migrate.log 2>&1 || (tail -20 $(STATE)/airflow-migrate.log; exit 1)
	$(BIN)/airflow pools set tiemeter_warehouse 1 "DuckDB allows one writer: every task that writes the warehouse runs here" > /dev/null

setup: $(INSTALLED) $(AIRFLOW_HOME)/airflow.db

lint: $(INSTALLED)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite on every core (pytest-xdist); TEST_WORKERS=0 runs it in this process. --dist loadfile: a
# module's tests stay on one worker, so a module-scoped warehouse (or the demo's dag.test() runs) is
# built once. (loadgroup/xdist_group marks do nothing with pytest 9.2: xdist 3.8 renames _nodeid.)
TEST_WORKERS ?= auto

test: setup lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

demo: setup
	$(BIN)/python -m tiemeter.demo.run

bench: setup
	$(BIN)/python -m bench.run

# dbt's documentation site (lineage, descriptions, tests) of the warehouse of TIEMETER_HOME (default ./data).
docs: setup
	$(BIN)/tiemeter docs --serve

airflow: setup
	$(BIN)/python -m tiemeter.demo.airflow_standalone

# Airflow across workers (README "cluster"): CeleryExecutor on Redis, metadata DB on PostgreSQL, two
# workers, the warehouse on a DuckLake (TIEMETER_CLUSTER_WAREHOUSE=duckdb: the DuckDB file). Ctrl-C stops it.
cluster: setup
	$(BIN)/python -m tiemeter.demo.cluster

clean:
	rm -rf $(STATE) data
