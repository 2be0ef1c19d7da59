"""Every DAG file imports cleanly, fast, and without touching connections at parse time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support import REPO

DAG_FILES = sorted((REPO / "dags").glob("tiemeter_*.py"))  # not __init__.py: the package holds no DAG


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == {"tiemeter_collect_x", "tiemeter_collect_blogs", "tiemeter_build_warehouse"}


def test_build_is_scheduled_on_the_landing_assets(dagbag):
    from tiemeter.assets import LANDING_BLOGS, LANDING_X

    build = dagbag.dags["tiemeter_build_warehouse"]
    condition = build.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"  # either source landing triggers a build
    assert {a.uri for a in condition.objects} == {LANDING_X.uri, LANDING_BLOGS.uri}
    for dag_id, asset in (("tiemeter_collect_x", LANDING_X), ("tiemeter_collect_blogs", LANDING_BLOGS)):
        outlets = [o for t in dagbag.dags[dag_id].tasks for o in t.outlets]
        assert asset in outlets, dag_id


def test_every_dag_has_docs_retries_and_tags(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.doc_md and len(dag.doc_md) > 50, dag_id
        assert dag.default_args.get("retries", 0) >= 1, dag_id
        assert "tiemeter" in dag.tags, dag_id


def test_a_skipped_load_still_builds_and_a_failed_one_does_not(dagbag):
    """`load` is skipped when conversion rows were rejected (the rest loaded): the build runs on it;
    the tasks after the build need it to succeed."""
    dag = dagbag.dags["tiemeter_build_warehouse"]
    rules = {t.task_id: getattr(t.trigger_rule, "value", t.trigger_rule) for t in dag.tasks}
    assert rules == {
        "load": "all_success",
        "build": "none_failed",
        "check": "all_success",
        "export": "all_success",
    }
    assert dag.get_task("build").upstream_task_ids == {"load"}


def test_warehouse_writers_use_the_one_slot_pool(dagbag):
    dag = dagbag.dags["tiemeter_build_warehouse"]
    assert {t.pool for t in dag.tasks} == {"tiemeter_warehouse"}


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_parses_quickly_without_connections(path: Path, monkeypatch):
    import importlib.util

    from airflow.sdk import BaseHook

    def refuse(*args, **kwargs):
        raise AssertionError("connection looked up at parse time")

    monkeypatch.setattr(BaseHook, "get_connection", classmethod(refuse))
    monkeypatch.setenv("AIRFLOW_CONN_X_API", "http://should-not-be-read")
    spec = importlib.util.spec_from_file_location(f"dagfile_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    started = time.perf_counter()
    spec.loader.exec_module(module)
    assert time.perf_counter() - started <= 1.0
