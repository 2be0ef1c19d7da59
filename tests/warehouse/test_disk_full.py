"""A full disk never leaves a broken warehouse: the error names the path and the free space, and once
space returns the next run works. The disk is a small tmpfs, which needs root to mount."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from support import REALDATA, scalar

from tiemeter.settings import Home


@pytest.fixture
def full_disk(tmp_path):
    mount = tmp_path / f"small-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"needs permission to mount a 400 kB tmpfs (root): {done.stderr.strip()}")
    filler = mount / "filler"
    with open(filler, "wb") as handle:
        try:
            handle.write(b"\0" * (400 << 10))
        except OSError:
            pass
    try:
        yield mount, filler
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_warehouse_is_never_created_in_place_on_a_full_disk(tmp_path, cli, full_disk):
    mount, filler = full_disk
    db = mount / "tiemeter.duckdb"
    home = Home.resolve(tmp_path / "home", db)
    pages = str(REALDATA / "x_api_v2" / "two_tweets.jsonl")
    result = cli(home, "--db", str(db), "import", "twarc", pages)
    assert result.code == 1, result
    assert f"{db}: no space left on the device" in result.err and "MB free" in result.err
    assert not db.exists()  # neither a 0-byte file nor a half-made database
    assert [p.name for p in mount.iterdir()] == ["filler"]  # and no temp file either
    os.remove(filler)  # space returns
    subprocess.run(["mount", "-o", "remount,size=64m", str(mount)], check=True)
    again = cli(home, "--db", str(db), "load")
    assert again.code == 0, again
    assert scalar(home, "SELECT count(*) FROM meta.load_ledger WHERE status = 'loaded'") == 1


def test_a_zero_byte_warehouse_left_by_an_older_version_is_replaced(home, cli):
    home.db_path.write_bytes(b"")
    result = cli(home, "import", "twarc", str(REALDATA / "x_api_v2" / "two_tweets.jsonl"))
    assert result.code == 0, result
    assert scalar(home, "SELECT count(*) FROM core.tweets") > 0
