"""Long work shows how far it is: plain lines in logs, a bar on a terminal; an import counts tweets and users."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from support import REALDATA, REPO

from tiemeter.progress import Progress

PAGES = REALDATA / "x_api_v2" / "noflat.jsonl"  # one line: raw pages with includes
FLAT = REALDATA / "x_api_v2" / "flat.jsonl"  # 100 lines: one flattened tweet each


def _counts(path) -> tuple[int, int]:
    """Tweets and users in the file, counted here: data plus includes (a flattened line is one tweet)."""
    tweets = users = 0
    for line in path.read_text("utf-8").splitlines():
        page = json.loads(line)
        if "data" not in page:
            tweets += 1
            continue
        data = page["data"]
        data = data if isinstance(data, list) else [data]
        tweets += len(data) + len(page.get("includes", {}).get("tweets", []))
        users += len(page.get("includes", {}).get("users", []))
    return tweets, users


def test_an_import_reports_tweets_and_users_and_logs_its_progress(tmp_path):
    env = {**os.environ, "TIEMETER_PROGRESS_EVERY_S": "0", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tiemeter.cli",
            "--home",
            str(tmp_path / "h"),
            "import",
            "twarc",
            str(PAGES),
            str(FLAT),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    for path in (PAGES, FLAT):
        tweets, users = _counts(path)
        assert (
            f"{path}: landed {len(path.read_text().splitlines())} item(s) holding {tweets:,} tweet(s) and {users:,} user(s)"
            in done.stdout
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith(f"importing {FLAT.name}: ")]
    assert len(lines) >= 2 and lines[-1].startswith(f"importing {FLAT.name}: 100% ")
    assert any(line.startswith("loading landing files: 100% (") for line in done.stdout.splitlines())


def test_a_terminal_gets_a_bar_not_lines():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    with Progress("importing x", 1000, unit="bytes", out=out) as progress:
        progress.update(500, tweets=10)
        assert progress._bar is not None
    assert "importing x: " not in out.getvalue()  # no log lines on a terminal


def test_transform_draws_a_bar_on_a_terminal_and_lines_in_logs(home, cli):
    import contextlib

    from tiemeter.cli import main
    from tiemeter.transforms.project import model_names

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert cli(home, "import", "twarc", str(PAGES)).code == 0
    logged = cli(home, "transform")
    assert logged.code == 0, logged
    models = len(model_names())
    assert sum(line.startswith("  OK ") for line in logged.out.splitlines()) == models  # one line each
    screen = Tty()
    with contextlib.redirect_stdout(screen):
        assert main(["--home", str(home.root), "transform"]) == 0
    drawn = screen.getvalue()
    assert "building models" in drawn and f"{models}/{models}" in drawn
    assert "  OK " not in drawn  # the bar, not the log lines
