"""Incremental builds equal a full refresh, row for row.

One input (tweets with metrics re-polled and an edit, user snapshots that supersede, replies and
liking_users lists, compliance deletions, blog posts and comments, conversions, a quote, retweet and
reply landed a batch before the tweet they name) is landed once. A
warehouse that loads it in 7 batches, with an incremental build after each, must equal one that
loads it all and builds with ``--full-refresh``: every core and mart table, compared with EXCEPT ALL
both ways. Both warehouses load the very same landing files, so provenance columns agree too.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from scenario import T0
from support import REALDATA, query, run_cli
from test_attribution import D1, D2, D3, HEAVY, D, donations_csv
from test_attribution import scenario as attribution_scenario
from test_removals import FOLLOWERS as REMOVAL_USERS
from test_removals import LIKES as REMOVAL_LIKES
from test_removals import TWEETS as REMOVAL_TWEETS
from test_removals import compliance_lines
from test_removals import scenario as removals_scenario

from tiemeter.config import parse_config
from tiemeter.operations import build, load, raise_for_failed_loads
from tiemeter.settings import Home

FEEDS = REALDATA / "feeds"
CONFIG = {
    "accounts": [{"name": "Mark", "x_username": "mark"}],
    "campaigns": [{"name": "appeal", "url": "https://example.blog/appeal/", "owner": "Mark"}],
    "blogs": [
        {
            "name": "grow",
            "site_url": "https://example.blog/",
            "feed_url": "https://example.blog/feed/",
            "owner": "Mark",
        }
    ],
    "metrics": {"as_of": "2012-12-11T12:00:00+00:00"},
}
LAYERS = ("core", "marts")


def _edit_page(folder: Path) -> Path:
    """Later observations: tweet 130 edited (a new version id, its history naming the first), the
    metrics of 100 re-polled with higher counts, and mark's profile with more followers."""
    s = attribution_scenario()
    s.retrieved_at = T0 + timedelta(days=40)  # after every other page (they are at T0 + 30 days)
    by_id = {t["id"]: t for t in s.tweets}
    edited = dict(by_id["130"], id="131", text="so good (edited)", edit_history_tweet_ids=["130", "131"])
    polled = dict(
        by_id["100"],
        public_metrics={"retweet_count": 9, "reply_count": 4, "like_count": 30, "quote_count": 2},
    )
    s.tweets = [edited, polled]
    s.users["1"]["public_metrics"] = dict(s.users["1"]["public_metrics"], followers_count=1_500)
    s.likes = {"100": ["12", "13"]}
    return s.write(folder / "edit.jsonl")


LATE_PARENT = "300"
# tweets answering, quoting and retweeting LATE_PARENT, landed a batch before it: (id, author, kind)
LATE_CHILDREN = [("301", D1, "quote"), ("302", D2, "retweet"), ("303", D3, "reply")]


def _late_parent_pages(folder: Path) -> tuple[Path, Path]:
    """A quote, a retweet and a reply of the heavyweight's tweet 300, then (a later page) 300 itself:
    a reference to a tweet not seen yet gains its author when the tweet arrives."""
    s = attribution_scenario()
    s.likes = {}
    s.tweet(LATE_PARENT, HEAVY, T0 + 5 * D, "late news")
    kinds = {"quote": "quote", "retweet": "retweet", "reply": "reply_to"}
    for tweet_id, author, kind in LATE_CHILDREN:
        s.tweet(tweet_id, author, T0 + 6 * D, "about it", **{kinds[kind]: LATE_PARENT})
    by_id = {t["id"]: t for t in s.tweets}
    s.retrieved_at = T0 + timedelta(days=41)
    s.tweets = [by_id[tweet_id] for tweet_id, _, _ in LATE_CHILDREN]
    children = s.write(folder / "late_children.jsonl")
    s.retrieved_at = T0 + timedelta(days=42)
    s.tweets = [by_id[LATE_PARENT]]
    return children, s.write(folder / "late_parent.jsonl")


def _steps(base: Path) -> list[list[tuple[str, ...]]]:
    """The CLI imports of each batch (all with --no-load)."""
    attribution = attribution_scenario()
    first = attribution.write(base / "attribution.jsonl")
    (base / "donations.csv").write_text(donations_csv())
    removals = removals_scenario(REMOVAL_TWEETS, REMOVAL_LIKES, REMOVAL_USERS)
    compliance = base / "compliance.jsonl"
    compliance.write_text("".join(json.dumps(line) + "\n" for line in compliance_lines()))
    blog = ("--site", "grow")
    return [
        [("twarc", str(first)), ("feed", str(FEEDS / "blogger_rbrazioli_posts_atom.xml"), *blog)],
        [
            ("twarc", str(removals.write(base / "removals.jsonl"))),
            ("feed", str(FEEDS / "blogger_rbrazioli_post_comments_atom.xml"), *blog),
        ],
        [("conversions", str(base / "donations.csv"))],
        [
            ("twarc", str(compliance)),
            ("feed", str(FEEDS / "feedparser_blogger_comments_atom_threading.xml"), *blog),
        ],
        [("twarc", str(_edit_page(base)))],
        *([("twarc", str(page))] for page in _late_parent_pages(base)),
    ]


def _landed(home: Home) -> set[Path]:
    return {p.relative_to(home.landing) for p in home.landing.rglob("*.jsonl")}


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> tuple[Path, list[list[Path]]]:
    """Land the input once; the landing files of each batch, relative to the landing folder."""
    base = tmp_path_factory.mktemp("incremental")
    source = Home.resolve(base / "source").ensure()
    out: list[list[Path]] = []
    for step in _steps(base):
        before = _landed(source)
        for kind, *args in step:
            result = run_cli(source, "import", kind, *args, "--no-load")
            assert result.code == 0, result
        out.append(sorted(_landed(source) - before))
        assert out[-1], step
    return source.landing, out


def _copy(landing: Path, files: list[Path], home: Home) -> None:
    for rel in files:
        (home.landing / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(landing / rel, home.landing / rel)


def _transform(home: Home, full_refresh: bool = False) -> list[str]:
    lines: list[str] = []
    raise_for_failed_loads(load(home))
    build(home, parse_config(CONFIG), full_refresh=full_refresh, progress=lines.append)
    return lines


def _tables(home: Home) -> list[str]:
    return [
        f"{s}.{t}"
        for s, t in query(
            home,
            "SELECT table_schema, table_name FROM information_schema.tables "
            f"WHERE table_schema IN {LAYERS} ORDER BY ALL",
        )
    ]


@pytest.fixture(scope="module")
def homes(batches, tmp_path_factory):
    landing, files = batches
    base = tmp_path_factory.mktemp("homes")
    incremental = Home.resolve(base / "incremental").ensure()
    logs = []
    for batch in files:
        _copy(landing, batch, incremental)
        logs.append(_transform(incremental))
    full = Home.resolve(base / "full").ensure()
    _copy(landing, [f for batch in files for f in batch], full)
    _transform(full, full_refresh=True)
    return incremental, full, logs


def test_the_input_has_something_of_each_kind(homes):
    _, full, _ = homes
    counts = dict(
        query(
            full,
            """
            SELECT 'edits', count(*) FROM core.tweets WHERE edit_count > 0
            UNION ALL SELECT 'repolled', count(*) FROM (
                SELECT tweet_id FROM core.tweet_metrics GROUP BY 1 HAVING count(DISTINCT likes) > 1)
            UNION ALL SELECT 'user_snapshots', count(*) FROM (
                SELECT user_id FROM core.user_metrics GROUP BY 1 HAVING count(DISTINCT followers) > 1)
            UNION ALL SELECT 'removed', count(*) FROM core.removed_tweets
            UNION ALL SELECT 'reactions', count(*) FROM core.tweet_reactions
            UNION ALL SELECT 'comments', count(*) FROM core.blog_comments
            UNION ALL SELECT 'posts', count(*) FROM core.blog_posts
            UNION ALL SELECT 'conversions', count(*) FROM core.conversions
            UNION ALL SELECT 'attributed', count(*) FROM marts.conversion_attribution
            """,
        )
    )
    assert all(n > 0 for n in counts.values()), counts


def _differences(a: Home, b: Home, tables: list[str]) -> dict[str, tuple]:
    """Per table that differs: (rows in a, rows in b, rows only in a, rows only in b), EXCEPT ALL."""
    different = {}
    with contextlib.closing(duckdb.connect(str(b.db_path), read_only=True)) as con:
        con.execute(f"ATTACH '{a.db_path}' AS a (READ_ONLY)")
        for name in tables:
            counts = con.execute(
                f"""SELECT (SELECT count(*) FROM a.{name}), (SELECT count(*) FROM {name}),
                    (SELECT count(*) FROM (FROM a.{name} EXCEPT ALL FROM {name})),
                    (SELECT count(*) FROM (FROM {name} EXCEPT ALL FROM a.{name}))"""
            ).fetchone()
            if counts[0] != counts[1] or counts[2] or counts[3]:
                different[name] = counts
    return different


def test_a_late_parent_gives_its_answers_their_target(homes):
    incremental, full, _ = homes
    for home in (incremental, full):
        target = query(home, f"SELECT person_id FROM core.identities WHERE identity_key = 'x:{HEAVY}'")
        got = query(
            home,
            "SELECT kind, actor_label, target_person_id FROM core.interactions "
            f"WHERE post_id = '{LATE_PARENT}' ORDER BY ALL",
        )
        assert got == sorted((kind, f"x:{author}", target[0][0]) for _, author, kind in LATE_CHILDREN)


def test_incremental_builds_equal_a_full_refresh(homes):
    incremental, full, _ = homes
    tables = _tables(full)
    assert len(tables) > 40 and tables == _tables(incremental)
    assert _differences(incremental, full, tables) == {}


INCREMENTAL_STAGING = (
    "staging.stg_x__pages",
    "staging.stg_x__api_tweets",
    "staging.stg_x__api_users",
    "staging.stg_x__archive_tweets",
    "staging.stg_blog__feed_entries",
)


INCREMENTAL_CORE = (
    "core.tweet_metrics",
    "core.user_metrics",
    "core.tweets",
    "core.tweet_refs",
    "core.interactions",
)


def test_staging_and_core_were_built_incrementally(homes):
    incremental, _, logs = homes
    for log in logs[1:]:
        built = {line.split()[1]: line.split()[2] for line in log if line.split()[0] == "OK"}
        assert all(
            built[name] in ("(incremental)", "(batched_table)")
            for name in INCREMENTAL_STAGING + INCREMENTAL_CORE
        ), built
    # each incremental core model keeps the newest staging load it has seen, and no scratch table
    marks = dict(query(incremental, "SELECT model, loaded_at FROM meta.watermarks"))
    newest = query(incremental, "SELECT max(loaded_at) FROM raw.x_api_pages")[0][0]
    assert {name: marks.get(name) for name in INCREMENTAL_CORE} == dict.fromkeys(INCREMENTAL_CORE, newest)
    assert (
        query(incremental, "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%__touched'") == []
    )


@pytest.fixture
def again(homes, tmp_path):
    """A copy of the incremental warehouse, to build once more without new input."""
    incremental, _, _ = homes
    copy = Home.resolve(tmp_path / "again")
    shutil.copytree(incremental.root, copy.root)
    return incremental, copy


def test_a_run_without_new_data_changes_nothing(again):
    before, after = again
    _transform(after)
    tables = [
        f"{s}.{t}"
        for s, t in query(
            after,
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('staging', 'core', 'marts') ORDER BY ALL",
        )
    ]
    assert set(INCREMENTAL_STAGING) <= set(tables)
    assert _differences(before, after, tables) == {}


def test_seen_raw_rows_are_not_parsed_again_until_a_full_refresh(again):
    _, home = again
    marked = "parsed before this run"
    with contextlib.closing(duckdb.connect(str(home.db_path))) as con:
        (tweet_rows,) = con.execute("SELECT count(*) FROM staging.stg_x__api_tweets").fetchone()
        con.execute("UPDATE staging.stg_x__api_tweets SET text = ? WHERE rowid = 0", [marked])
    _transform(home)
    assert query(home, "SELECT count(*) FROM staging.stg_x__api_tweets WHERE text = ?", [marked]) == [(1,)]
    _transform(home, full_refresh=True)
    assert query(home, "SELECT count(*) FROM staging.stg_x__api_tweets WHERE text = ?", [marked]) == [(0,)]
    assert query(home, "SELECT count(*) FROM staging.stg_x__api_tweets") == [(tweet_rows,)]
