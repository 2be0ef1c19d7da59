"""``tiemeter collect x`` as users run it: a process killed mid-run, the token, exit codes."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from pipeline_steps import load_core
from support import REPO, query, scalar
from x_fixtures import (
    TOKEN,
    build_world,
    expected,
    landed_pages,
    page_key,
    posting_world,
    serving,
    warehouse_contents,
    write_config,
)

from tiemeter.demo.fake_x_api import FakeXApi


def _collect_command(config) -> list[str]:
    return [sys.executable, "-m", "tiemeter.cli", "collect", "x", "--config", str(config)]


@pytest.mark.parametrize("kill_after_pages", [3, 9])  # mid campaign search; among the reactions
def test_sigkill_mid_run_then_rerun_gives_exactly_the_dataset_without_refetching(
    home, tmp_path, kill_after_pages
):
    world = build_world(more_sharers=420)  # the campaign search alone takes 5 pages
    env = {**os.environ, "X_BEARER_TOKEN": TOKEN, "TIEMETER_HOME": str(home.root)}
    pages = home.landing / "x_api_pages"
    with FakeXApi(world.dataset(), token=TOKEN, delay_s=0.1) as api:
        config = write_config(tmp_path / "t.toml", api.base_url)
        killed = subprocess.Popen(
            _collect_command(config), env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while len(list(pages.glob("*/*.jsonl"))) < kill_after_pages and time.monotonic() < deadline:
            time.sleep(0.01)
        killed.send_signal(signal.SIGKILL)
        out, err = killed.communicate(timeout=30)
        assert killed.returncode == -signal.SIGKILL
        cursors = [json.loads(p.read_text()) for p in (home.state / "x" / "cursors").glob("*.json")]
        if kill_after_pages == 3:  # the snapshot and 2 of the 5 campaign search pages
            assert any(c["next_token"] or (c["pending"] or {}).get("next_token") for c in cursors)
        landed_by_the_killed_run = {page_key(page) for page in landed_pages(home)}
        api.wait_idle()  # the request the killed run left in flight: its answer was never landed
        asked_before_rerun = len(api.requests)
        api.delay_s = 0
        rerun = subprocess.run(
            _collect_command(config), env=env, cwd=REPO, capture_output=True, text=True, timeout=120
        )
    assert rerun.returncode == 0, rerun.stderr
    assert len(landed_by_the_killed_run) >= kill_after_pages
    asked_by_the_rerun = {(r.path, r.params) for r in api.requests[asked_before_rerun:]}
    assert not landed_by_the_killed_run & asked_by_the_rerun  # no landed page was fetched again
    keys = [page_key(page) for page in landed_pages(home)]
    assert len(keys) == len(set(keys))  # and none landed twice
    load_core(home)
    assert warehouse_contents(home) == expected(world.dataset())
    assert TOKEN.encode() not in out + err and TOKEN not in rerun.stdout + rerun.stderr
    # the killed run's request ledger was journalled, not lost: a record for every page it landed,
    # and one for every request served but the one in flight at the kill
    ledger = query(home, "SELECT path, params::VARCHAR FROM meta.api_requests WHERE status = 200")
    ledger_keys = Counter((path, tuple(sorted(json.loads(params).items()))) for path, params in ledger)
    assert not Counter(landed_by_the_killed_run) - ledger_keys
    assert (
        len(api.requests) - 1 <= scalar(home, "SELECT count(*) FROM meta.api_requests") <= len(api.requests)
    )
    assert list((home.state / "x" / "ledger").glob("*.jsonl")) == []


def test_the_token_is_never_written_anywhere(home, tmp_path, cli, monkeypatch, caplog):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)  # the most a user can turn on (-v)
    world = build_world()
    with serving(world) as api:
        config = write_config(tmp_path / "t.toml", api.base_url)
        api.faults.add("partial_errors", every=2)
        ok = cli(home, "-v", "collect", "x", "--config", str(config), "--load")
        assert ok.code == 0, ok
        status = cli(home, "status")
        wrong = "tok-WRONG-0123456789abcdef0123456789"
        monkeypatch.setenv("X_BEARER_TOKEN", wrong)
        refused = cli(home, "-v", "collect", "x", "--config", str(config))
    assert refused.code == 1 and "credentials were refused" in refused.err
    assert any(
        "Authorization" in r.getMessage() or "GET" in r.getMessage() for r in caplog.records
    )  # logs exist
    written = [p for p in home.root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" for p in written) and any("state" in p.parts for p in written)
    for secret in (TOKEN, wrong):
        for path in written:
            assert secret.encode() not in path.read_bytes(), path
        for text in (ok.out, ok.err, status.out, refused.out, refused.err, caplog.text):
            assert secret not in text
        assert all(secret not in str(r.args) for r in caplog.records)


def test_cli_exit_codes_say_whether_the_run_is_complete(home, tmp_path, cli, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    world = posting_world(150)
    with serving(world) as api:
        config = write_config(tmp_path / "t.toml", api.base_url, budget_usd_per_run=0.6)
        stopped = cli(home, "collect", "x", "--config", str(config), "--unit", "campaign:door")
        assert stopped.code == 4, stopped
        assert "budget" in stopped.err and "run again" in stopped.err and len(stopped.err.splitlines()) == 1
        write_config(tmp_path / "t.toml", api.base_url, budget_usd_per_run=5.0)
        done = cli(home, "collect", "x", "--config", str(config), "--unit", "campaign:door", "--load")
    assert done.code == 0, done
    assert "loaded" in done.out
    monkeypatch.delenv("X_BEARER_TOKEN")
    monkeypatch.setenv("AIRFLOW_CONN_X_API", "")  # no Airflow connection either
    missing = cli(home, "collect", "x", "--config", str(config))
    assert missing.code == 1 and "X_BEARER_TOKEN" in missing.err and "x_api" in missing.err
    unknown = cli(home, "collect", "x", "--config", str(config), "--unit", "campaign:nope")
    assert unknown.code == 1


def test_the_token_can_come_from_the_airflow_connection(home, tmp_path, cli, monkeypatch):
    world = build_world()
    with serving(world) as api:
        config = write_config(tmp_path / "t.toml", "https://api.x.invalid")  # the connection's host wins
        monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
        monkeypatch.setenv(
            "AIRFLOW_CONN_X_API", json.dumps({"conn_type": "http", "host": api.base_url, "password": TOKEN})
        )
        result = cli(home, "collect", "x", "--config", str(config), "--unit", "users")
    assert result.code == 0, result
    assert [r for r in api.requests if r.status == 200]


def test_the_airflow_task_ends_well_when_stopped_early_and_resumes_next_run(home, tmp_path, monkeypatch):
    from tiemeter.airflow_tasks import collect_x

    world = posting_world(150)
    with serving(world) as api:
        config = write_config(tmp_path / "t.toml", api.base_url, budget_usd_per_run=0.6)
        monkeypatch.setenv("TIEMETER_CONFIG", str(config))
        monkeypatch.setenv("TIEMETER_HOME", str(home.root))
        monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
        first = collect_x(["campaign:door"])  # stops before the second page: the task still succeeds
        assert "1 page(s) landed" in first
        second = collect_x(["campaign:door"])
    assert "1 page(s) landed" in second
    assert sorted(t["id"] for p in landed_pages(home) for t in p["data"]) == sorted(
        t["id"] for t in world.tweets
    )


def test_a_failed_job_is_said_once(home, tmp_path, cli, monkeypatch):
    """The job's failure is listed as it happens; the final error counts, it does not repeat it."""
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    world = build_world()
    with serving(world) as api:
        config = write_config(tmp_path / "t.toml", api.base_url)
        config.write_text(config.read_text().replace("-is:retweet", "-is:retweet lolcat:yes"))
        result = cli(home, "collect", "x", "--config", str(config))
    # a refused query skips its job (Airflow: skipped); the CLI says so with exit code 3, not 1
    assert result.code == 3, result
    assert "1 job(s) failed (listed above)" in result.err and "search roi" not in result.err
    said = (result.out + result.err).count("lolcat")
    assert said >= 1 and (result.out + result.err).count("failed: search roi") == 1, result.out + result.err
