"""Every fault the fake X API can throw: the collection still ends with exactly the dataset."""

from __future__ import annotations

import dataclasses

import pytest
from pipeline_steps import load_core
from support import query
from x_fixtures import (
    SNAPSHOT_ENDPOINTS,
    TEST_POLICY,
    FakeClock,
    build_world,
    collector,
    expected,
    refetched,
    serving,
    warehouse_contents,
    write_config,
)

# (fault, options, what the server log must show)
RETRIED_FAULTS = {
    "rate_limit_reset": ({"every": 4, "seconds": 30}, 429),
    "rate_limit_no_reset": ({"every": 4}, 429),
    "unavailable": ({"every": 3}, 503),
    "truncated": ({"every": 3}, 200),
    "invalid_json": ({"every": 3}, 200),
    "slow": ({"every": 9, "seconds": 0.5}, 200),
}


@pytest.mark.parametrize("fault", sorted(RETRIED_FAULTS))
def test_each_fault_is_survived_and_the_dataset_is_complete(home, tmp_path, fault):
    options, status = RETRIED_FAULTS[fault]
    world = build_world(more_sharers=120)
    clock = FakeClock()
    # a slow answer must outlast the read timeout; the other faults keep the roomier default
    policy = dataclasses.replace(TEST_POLICY, read_timeout=0.25) if fault == "slow" else TEST_POLICY
    with serving(world, clock) as api:
        rule = api.faults.add(fault, **options)
        result = collector(home, write_config(tmp_path / "t.toml", api.base_url), clock, policy).run()
    assert result.complete, (result.errors, result.stopped)
    assert rule.fired >= 2
    assert any(r.status == status for r in api.requests)
    load_core(home)
    assert warehouse_contents(home) == expected(world.dataset())
    if fault == "rate_limit_reset":  # honoured: waited until the reset, not a blind backoff
        assert [s for s in clock.slept if s >= 30]
    if fault == "rate_limit_no_reset":  # bounded exponential backoff, never an instant retry
        assert clock.slept and all(0 < s <= TEST_POLICY.backoff_max for s in clock.slept)
    retried = query(home, "SELECT count(*) FROM meta.api_requests WHERE problem IS NOT NULL")[0][0]
    if fault == "slow":  # on a busy machine an answer that is not slowed may time out too
        assert retried >= rule.fired
    else:
        assert retried == rule.fired


def test_partial_errors_are_recorded_not_fatal(home, tmp_path):
    world = build_world()
    clock = FakeClock()
    with serving(world, clock) as api:
        rule = api.faults.add("partial_errors", every=2)
        result = collector(home, write_config(tmp_path / "t.toml", api.base_url), clock).run()
    assert result.complete and rule.fired >= 2
    load_core(home)
    assert warehouse_contents(home) == expected(world.dataset())
    injected = query(home, "SELECT occurrences FROM core.x_api_errors WHERE resource_id = '1'")
    assert injected == [(rule.fired,)]
    # the dataset's own deleted tweet (quoted by a campaign tweet) is reported too
    assert query(
        home, "SELECT count(*) FROM core.x_api_errors WHERE resource_id = '1790000000000000001'"
    ) == [(1,)]


def test_repeated_next_token_is_an_error_and_the_next_run_completes(home, tmp_path):
    world = build_world(more_sharers=120)
    clock = FakeClock()
    with serving(world, clock) as api:
        api.faults.add("repeat_token", times=1, endpoint="/2/tweets/search/recent")
        config = write_config(tmp_path / "t.toml", api.base_url)
        first = collector(home, config, clock).run()
        assert len(first.errors) == 1 and "next_token" in first.errors[0] and "again" in first.errors[0]
        second = collector(home, config, clock).run()
    assert second.complete
    load_core(home)
    assert warehouse_contents(home) == expected(world.dataset())


def test_exhausted_rate_limit_window_is_waited_out(home, tmp_path):
    world = build_world()
    clock = FakeClock()
    with serving(world, clock, rate_limits={"/2/tweets/:id/retweeted_by": 2}) as api:
        config = write_config(tmp_path / "t.toml", api.base_url, max_rate_limit_wait_s=1000.0)
        result = collector(home, config, clock).run()
    assert result.complete
    assert result.totals.waits >= 1 and [s for s in clock.slept if 800 < s <= 1000]
    assert not [r for r in api.requests if r.status == 429]  # x-rate-limit-remaining: 0 was honoured
    load_core(home)
    assert warehouse_contents(home) == expected(world.dataset())


def test_a_wait_longer_than_allowed_defers_that_endpoint_with_cursors_saved(home, tmp_path):
    world = build_world()
    retweeted = {
        r["id"] for t in world.tweets for r in t.get("referenced_tweets", ()) if r["type"] == "retweeted"
    }
    clock = FakeClock()
    with serving(world, clock, rate_limits={"/2/tweets/:id/retweeted_by": 2}) as api:
        config = write_config(tmp_path / "t.toml", api.base_url, max_rate_limit_wait_s=60.0)
        runs = [collector(home, config, clock).run()]
        first = runs[0]
        assert first.stopped and "/2/tweets/:id/retweeted_by" in first.stopped
        assert len(first.deferred) == len(retweeted) - 2 and not first.errors
        assert not [s for s in clock.slept if s > 60]  # it did not sit out the window
        assert [
            r for r in api.requests if r.endpoint == "/2/users/:id/mentions"
        ]  # the other endpoints went on
        while not runs[-1].complete and len(runs) < 10:
            clock.now += 901  # the next scheduled run, after the window
            runs.append(collector(home, config, clock).run())
    assert runs[-1].complete
    assert len(runs) == -(-len(retweeted) // 2)  # two retweeter lists per window
    # nothing landed was fetched twice; the follower snapshot is taken again after 45 minutes, by design
    assert refetched(home, api, ignore=SNAPSHOT_ENDPOINTS) == []
    load_core(home)
    assert warehouse_contents(home) == expected(world.dataset())
