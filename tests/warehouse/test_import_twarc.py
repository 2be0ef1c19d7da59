"""``tiemeter import twarc``: every real sample imports, with counts equal to an independent count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from independent_counts import twarc_counts
from support import REALDATA, query, realdata_files, scalar

from tiemeter.operations import build, load, raise_for_failed_loads
from tiemeter.transforms.project import run_dbt

X_DIR = REALDATA / "x_api_v2"
ALL_FILES = realdata_files("x_api_v2", lambda p: p.name != "SOURCES.md")
# Inputs that are not twarc2 JSONL at all; each must be refused whole, with a reason.
REFUSED = {
    "empty.json": "empty file",
    "openapi.json": "unexpected page shape",
    "small_sample.csv": "not JSONL",
}


def core_counts(home) -> dict[str, int]:
    return {
        "tweets": scalar(home, "SELECT count(*) FROM core.tweets"),
        "users": scalar(home, "SELECT count(*) FROM core.x_users"),
        "refs": scalar(home, "SELECT count(*) FROM core.tweet_refs"),
    }


def test_every_real_file_is_covered():
    assert len(ALL_FILES) >= 30


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_each_real_file_imports_with_independent_counts(home, cli, path: Path):
    # Land with the CLI, then load and build only the three counted tables and what they read:
    # the full `import` (load and build all of staging and core) is the next test's.
    result = cli(home, "import", "twarc", "--no-load", str(path))
    raise_for_failed_loads(load(home))
    run_dbt(home, "run", select=["+tweets", "+x_users", "+tweet_refs"])
    if path.name in REFUSED:
        assert result.code == 1, result
        assert REFUSED[path.name] in result.err and path.name in result.err
        assert scalar(home, "SELECT count(*) FROM meta.quarantine WHERE source_file = ?", [str(path)]) == 1
        return
    expected_code = 3 if path.name == "streaming_output_with_error.jsonl" else 0
    assert result.code == expected_code, result
    assert core_counts(home) == twarc_counts(path)


def test_all_files_together_and_twice_give_no_duplicates(home, cli):
    files = [str(p) for p in ALL_FILES]
    first = cli(home, "import", "twarc", *files)
    assert first.code == 3, first  # some inputs are refused, the rest loads
    counts = core_counts(home)
    raw_rows = scalar(home, "SELECT count(*) FROM raw.x_api_pages")

    second = cli(home, "import", "twarc", *files)
    assert "already imported" in second.out
    reloaded = cli(home, "load")  # only loads: staging and core are rebuilt explicitly
    assert reloaded.code == 0, reloaded
    build(home, layers=("staging", "core"))
    assert core_counts(home) == counts
    assert scalar(home, "SELECT count(*) FROM raw.x_api_pages") == raw_rows
    # grain: no tweet id twice, no user id twice
    assert scalar(home, "SELECT count(*) - count(DISTINCT tweet_id) FROM core.tweets") == 0
    assert scalar(home, "SELECT count(*) - count(DISTINCT user_id) FROM core.x_users") == 0
    # the independent count over all files at once: every good line of every file
    expected_pages = 0
    for path in ALL_FILES:
        if path.name in REFUSED:
            continue
        for line in path.read_text("utf-8").splitlines():
            try:
                expected_pages += isinstance(json.loads(line), dict)
            except json.JSONDecodeError:
                pass
    # counts.json and counts.jsonl are byte-identical: the second is "already imported"
    expected_pages -= sum(1 for _ in (X_DIR / "counts.jsonl").open())
    assert raw_rows == expected_pages


def test_twarc_provenance_is_kept_and_stamped(home, cli):
    path = X_DIR / "noflat.jsonl"
    assert cli(home, "import", "twarc", str(path)).code == 0
    landed = list(home.landing.glob("x_api_pages/*/*.jsonl"))
    assert len(landed) == 1
    line = json.loads(landed[0].read_text().splitlines()[0])
    original = json.loads(path.read_text().splitlines()[0])
    stamp = line.pop("__tiemeter")
    assert line == original  # the page itself is untouched, __twarc included
    assert {"source", "endpoint", "params", "retrieved_at", "run_id"} <= set(stamp)
    assert stamp["retrieved_at"] == original["__twarc"]["retrieved_at"]
    assert stamp["endpoint"] == "/2/tweets/search/recent"
    twarc_url = query(home, "SELECT payload->>'$.__twarc.url' FROM raw.x_api_pages")[0][0]
    assert twarc_url == original["__twarc"]["url"]
    assert not list(home.landing.rglob(".*.tmp"))


def test_ledger_records_each_file_once_with_sha256(home, cli):
    import hashlib

    cli(home, "import", "twarc", str(X_DIR / "withheld.jsonl"))
    rows = query(home, "SELECT landing_file, sha256, rows, status FROM meta.load_ledger")
    assert len(rows) == 1
    landing_file, sha, row_count, status = rows[0]
    assert status == "loaded"
    assert sha == hashlib.sha256((home.landing / landing_file).read_bytes()).hexdigest()
    assert row_count == 5  # withheld.jsonl has 5 pages
    assert cli(home, "load").code == 0
    assert scalar(home, "SELECT count(*) FROM meta.load_ledger") == 1


def test_edited_tweet_latest_edit_wins(home, cli):
    for name in ("edited_before.jsonl", "edited.jsonl", "edited_after.jsonl", "quoted_edit.jsonl"):
        cli(home, "import", "twarc", str(X_DIR / name))
    after = json.loads((X_DIR / "edited_after.jsonl").read_text())
    edit = after["data"][0]
    original_id, latest_id = edit["edit_history_tweet_ids"][0], edit["edit_history_tweet_ids"][-1]
    rows = query(
        home,
        "SELECT tweet_id, latest_version_id, text FROM core.tweets WHERE tweet_id IN (?, ?)",
        [original_id, latest_id],
    )
    assert rows == [(original_id, latest_id, edit["text"])]
    # the quote points at the first version, the reply at the edit: both resolve to the one tweet
    quoting = json.loads((X_DIR / "quoted_edit.jsonl").read_text())["data"][0]
    refs = dict(
        query(
            home,
            "SELECT ref_type, referenced_tweet_id FROM core.tweet_refs WHERE tweet_id = ?",
            [quoting["id"]],
        )
    )
    assert refs == {"quoted": original_id, "replied_to": original_id}
    # metrics are snapshots: the latest version's counts at each retrieval time
    snapshots = query(
        home,
        "SELECT observed_at, likes FROM core.tweet_metrics WHERE tweet_id = ? ORDER BY observed_at",
        [original_id],
    )
    expected = sorted(
        {
            (
                json.loads((X_DIR / n).read_text())["__twarc"]["retrieved_at"],
                t["public_metrics"]["like_count"],
            )
            for n in ("edited.jsonl", "edited_after.jsonl", "edited_before.jsonl", "quoted_edit.jsonl")
            for page in [json.loads((X_DIR / n).read_text())]
            for t in page["data"] + page["includes"]["tweets"]
            if t["id"] == latest_id
        }
    )
    assert [(ts.strftime("%Y-%m-%dT%H:%M:%S+00:00"), likes) for ts, likes in snapshots] == expected


def test_errors_entries_become_a_table(home, cli):
    path = X_DIR / "withheld.jsonl"
    cli(home, "import", "twarc", str(path))
    expected = set()
    for line in path.read_text().splitlines():
        for e in json.loads(line).get("errors", []):
            expected.add(
                (
                    e.get("resource_type"),
                    e.get("resource_id") or e.get("value"),
                    e.get("title"),
                    e.get("detail"),
                )
            )
    rows = set(query(home, "SELECT resource_type, resource_id, title, detail FROM core.x_api_errors"))
    assert rows == expected and expected


def test_compliance_rows_load(home, cli):
    cli(home, "import", "twarc", str(X_DIR / "tweets_compliance.jsonl"))
    rows = query(home, "SELECT resource_id, action, reason FROM core.x_compliance ORDER BY resource_id")
    expected = sorted(
        (o["id"], o["action"], o["reason"])
        for o in map(
            json.loads, filter(str.strip, (X_DIR / "tweets_compliance.jsonl").read_text().splitlines())
        )
    )
    assert rows == expected


def test_user_metrics_are_snapshots_of_profiles(home, cli):
    path = X_DIR / "users.jsonl"
    cli(home, "import", "twarc", str(path))
    page = json.loads(path.read_text())
    profiles = {u["id"]: u for u in page["data"] + page.get("includes", {}).get("users", [])}
    rows = query(
        home, "SELECT user_id, followers, following, tweet_count, listed_count FROM core.user_metrics"
    )
    assert len(rows) == len(profiles)
    for user_id, followers, following, tweets, listed in rows:
        metrics = profiles[user_id]["public_metrics"]
        assert (followers, following, tweets, listed) == (
            metrics["followers_count"],
            metrics["following_count"],
            metrics["tweet_count"],
            metrics["listed_count"],
        )


def test_landing_line_numbers_and_parts(home, cli, monkeypatch):
    """Big imports are cut into parts; raw line numbers match the landing lines."""
    import tiemeter.landing as landing

    monkeypatch.setattr(landing.RollingLandingFile.__init__, "__defaults__", (50_000,))
    path = X_DIR / "flat.jsonl"
    assert cli(home, "import", "twarc", str(path)).code == 0
    parts = sorted(home.landing.glob("x_api_pages/*/*.jsonl"))
    assert len(parts) > 5  # 733 KB in parts of ~50 KB
    rows = query(
        home,
        "SELECT landing_file, line_no, payload->>'$.id' FROM raw.x_api_pages ORDER BY landing_file, line_no",
    )
    expected = []
    for part in parts:
        for n, line in enumerate(part.read_text().splitlines(), 1):
            expected.append((part.relative_to(home.landing).as_posix(), n, json.loads(line)["id"]))
    assert rows == expected
    assert [r[2] for r in rows] == [json.loads(line)["id"] for line in path.read_text().splitlines()]
