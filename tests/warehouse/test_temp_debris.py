"""What a killed writer half-wrote is removed by the next run; a live writer's temp files are not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from support import REALDATA, REPO

from tiemeter.temp_files import STALE_AFTER_S, is_debris, temp_path

WRITER = """
import sys, time
from pathlib import Path
from tiemeter.landing import LandingFile
from tiemeter.temp_files import temp_path
landing = LandingFile(Path(sys.argv[1]))
landing.write_line(b'{"half": "written"}')
landing._handle.flush()
for folder in sys.argv[2:]:
    temp_path(Path(folder)).mkdir(parents=True)
print("ready", flush=True)
time.sleep(60)
"""


def _killed_writer(*paths) -> None:
    """Start a process that leaves temp files, then SIGKILL it mid-write."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, *map(str, paths)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def _dot_entries(folder):
    return sorted(p for p in folder.rglob(".*"))


def test_a_killed_landing_write_is_swept_by_the_next_load(home, cli):
    target = home.landing / "x_api_pages" / "2012-12" / "x-killed.jsonl"
    _killed_writer(target)
    assert len(_dot_entries(home.landing)) == 1
    live = temp_path(home.landing / "x_api_pages" / "2012-12" / "x-live.jsonl")  # this process: alive
    live.write_bytes(b"{}\n")
    assert cli(home, "import", "twarc", str(REALDATA / "x_api_v2" / "two_tweets.jsonl")).code == 0
    assert _dot_entries(home.landing) == [live]
    assert not target.exists()  # the half-written page never became a landing file


def test_a_killed_export_is_swept_by_the_next_export(home, cli):
    assert cli(home, "import", "twarc", str(REALDATA / "x_api_v2" / "two_tweets.jsonl")).code == 0
    out = home.exports
    _killed_writer(home.landing / "x_api_pages" / "2012-12" / "unused.jsonl", out / "parquet" / "core.tweets")
    old_style = out / "csv" / ".core.tweets.csv.tmp"  # an earlier version's name: only its age tells
    old_style.parent.mkdir(parents=True, exist_ok=True)
    old_style.write_text("half")
    hours_ago = time.time() - STALE_AFTER_S - 60
    os.utime(old_style, (hours_ago, hours_ago))
    assert len(_dot_entries(out)) == 2
    assert cli(home, "export").code == 0
    assert _dot_entries(out) == []


def test_a_young_temp_of_another_host_is_kept(tmp_path):
    other = tmp_path / ".x.jsonl.elsewhere-1-0123abcd.tmp"
    other.write_text("")
    assert not is_debris(other)
    hours_ago = time.time() - STALE_AFTER_S - 60
    os.utime(other, (hours_ago, hours_ago))
    assert is_debris(other)
