"""Two collections on one home never fetch, or pay for, the same pages twice: the second waits for
the first (with a message) or exits with code 5, as ``[collect] when_busy`` says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from support import REPO
from x_fixtures import TOKEN, build_world, landed_pages, page_key, write_config

from tiemeter.demo.fake_x_api import FakeXApi

# answered more than once by design: users/by and the users lookup are snapshots, re-read each run
SNAPSHOTS = ("/2/users/by", "/2/users")


WAITING = re.compile(r"waiting: X unit '[^']+' is being collected into this home by pid \d+")


def _two_runs(home, tmp_path, when_busy: str):
    """The second collection starts while the first certainly holds its first unit's lock: the fake
    API holds every answer, so the first sits inside that unit until the second has met the lock
    (exited, or said it waits); only then are answers released."""
    world = build_world(more_sharers=420)
    env = {**os.environ, "X_BEARER_TOKEN": TOKEN, "TIEMETER_HOME": str(home.root), "PYTHONUNBUFFERED": "1"}
    with FakeXApi(world.dataset(), token=TOKEN) as api:
        config = write_config(tmp_path / "t.toml", api.base_url)
        config.write_text(config.read_text() + f'\n[collect]\nwhen_busy = "{when_busy}"\n')
        command = [sys.executable, "-m", "tiemeter.cli", "collect", "x", "--config", str(config)]
        api.hold()
        first = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lock = home.state / "locks" / "x-users.lock"
        while first.poll() is None and not (lock.exists() and lock.read_text()):
            time.sleep(0.01)
        second = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        said = []
        if when_busy == "wait":
            for line in second.stdout:  # until it says it waits (or ends without saying so)
                said.append(line)
                if WAITING.search(line):
                    break
        else:
            second.wait(timeout=120)
        api.release()
        out, err = second.communicate(timeout=300)
        first.communicate(timeout=300)
        counts = api.request_counts()
    return (
        first.returncode,
        subprocess.CompletedProcess(command, second.returncode, "".join(said) + out, err),
        counts,
    )


def _fetched_twice(home, counts) -> list:
    return [
        key
        for page in landed_pages(home)
        if page["__tiemeter"]["endpoint"] not in SNAPSHOTS and counts[(key := page_key(page))] > 1
    ]


def test_the_second_collection_waits_and_fetches_nothing_twice(home, tmp_path):
    first, second, counts = _two_runs(home, tmp_path, "wait")
    assert first == 0 and second.returncode == 0, second.stderr
    assert WAITING.search(second.stdout)
    assert _fetched_twice(home, counts) == []


def test_the_second_collection_exits_with_code_5(home, tmp_path):
    first, second, counts = _two_runs(home, tmp_path, "exit")
    assert first == 0
    assert second.returncode == 5, second
    assert re.search(r"busy: X unit '[^']+' is being collected into this home by pid \d+", second.stderr)
    assert _fetched_twice(home, counts) == []


def test_when_busy_is_validated(tmp_path):
    from tiemeter.config import ConfigError, load_config

    path = tmp_path / "t.toml"
    path.write_text('[collect]\nwhen_busy = "queue"\n')
    with pytest.raises(ConfigError, match="collect.when_busy: 'queue' is not one of 'wait', 'exit'"):
        load_config(path)
