"""Deletions honoured everywhere: compliance events (batch rows and stream events, tweets and users,
with reversals) remove content from every mart, from core's text and from the exports.

The expected removals are worked out here by replaying the events in Python. The strongest check is
that every mart built with the removals equals the same mart built from a copy of the input in which
the removed content was never collected: removing is the same as never having seen it.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from scenario import T0, XScenario, iso
from transform_helpers import build_scenario, rows

# long, snowflake-like ids: a search for one in a table's text cannot hit a date or a count
MARK, A, B, HEAVY, C, U, D, Q, P, W = (f"99000000000{n:04d}" for n in range(1, 11))
FOLLOWERS = {MARK: 1_000, A: 50, B: 200, HEAVY: 150_000, C: 10, U: 300, D: 5, Q: 400, P: 60, W: 70}
CAMPAIGN_URL = "https://example.blog/appeal/"
AS_OF = T0 + timedelta(days=10)
CONFIG = {
    "accounts": [{"name": "Mark", "x_username": "u" + MARK[-4:]}],
    "campaigns": [{"name": "appeal", "url": CAMPAIGN_URL, "owner": "Mark"}],
    "metrics": {"as_of": AS_OF.isoformat()},
}


def tid(n: int) -> str:
    return f"16000000000000{n:05d}"


H = timedelta(hours=1)
# (id, author, kind, target, text): kind link (carries the campaign URL), rt, quote, reply
TWEETS = [
    (tid(100), MARK, "link", None, "please help"),
    (tid(101), A, "link", None, "SECRET-101 help them"),
    (tid(102), B, "rt", tid(101), None),
    (tid(103), HEAVY, "quote", tid(101), "look at this"),
    (tid(104), C, "rt", tid(103), None),
    (tid(105), U, "link", None, "SECRET-105 from u"),
    (tid(106), D, "rt", tid(105), None),
    (tid(107), Q, "rt", tid(100), None),
    (tid(108), U, "rt", tid(100), None),
    (tid(109), P, "link", None, "p shares it too"),
    (tid(110), W, "link", None, "SECRET-110 from w"),
    (tid(111), A, "reply", tid(100), "great cause"),
    (tid(112), B, "reply", tid(105), "+1"),
    (tid(113), HEAVY, "quote", tid(100), "worth it"),
]
LIKES = {tid(100): [U, A, C], tid(109): [D]}

# (kind, id, event, time): batch rows carry no type; stream events name a tweet or a user.
# Written to the file out of time order: the event time decides, not the line.
EVENTS = [
    ("batch", tid(101), "delete", T0 + timedelta(days=1), "deleted"),
    ("stream_user", U, "user_suspend", T0 + timedelta(days=1), None),
    ("stream_user", U, "user_suspend", T0 + timedelta(days=3), None),
    ("stream_user", P, "user_protect", T0 + timedelta(days=2), None),
    ("batch", W, "delete", T0 + timedelta(days=2), "deactivated"),
    ("stream_user", P, "user_unprotect", T0 + timedelta(days=3), None),
    ("stream_user", U, "user_unsuspend", T0 + timedelta(days=2), None),
]
USER_STATES = {"user_suspend": ("suspended", True), "user_unsuspend": ("suspended", False)}
USER_STATES |= {"user_protect": ("protected", True), "user_unprotect": ("protected", False)}


def compliance_lines() -> list[dict]:
    lines = []
    for kind, rid, event, at, reason in EVENTS:
        if kind == "batch":
            lines.append({"id": rid, "action": event, "created_at": iso(at), "reason": reason})
        else:
            lines.append({"data": {event: {"user": {"id": rid}, "event_at": iso(at)}}})
    return lines


# -- what the events mean, worked out here ----------------------------------------------------------


def removed_users() -> set[str]:
    latest: dict[tuple[str, str], tuple] = {}
    for _kind, rid, event, at, _reason in EVENTS:
        if rid not in FOLLOWERS:
            continue  # a tweet id
        state, sets = USER_STATES.get(event, ("deleted", True))
        if (rid, state) not in latest or at > latest[(rid, state)][0]:
            latest[(rid, state)] = (at, sets)
    return {rid for (rid, _), (_, sets) in latest.items() if sets}


def removed_tweets() -> set[str]:
    gone = {rid for kind, rid, *_ in EVENTS if kind == "batch" and rid not in FOLLOWERS}
    gone |= {t[0] for t in TWEETS if t[1] in removed_users()}
    while True:  # a retweet is the removed tweet passed on; a quote is its author's own tweet
        more = {t[0] for t in TWEETS if t[2] == "rt" and t[3] in gone} - gone
        if not more:
            return gone
        gone |= more


def expected_shares(tweets) -> set[str]:
    links = {t[0] for t in tweets if t[2] == "link"}
    return links | {t[0] for t in tweets if t[2] in ("rt", "quote") and t[3] in links}


# -- the two warehouses -----------------------------------------------------------------------------


def scenario(tweets, likes, users) -> XScenario:
    s = XScenario()
    for user_id in users:
        s.user(user_id, "u" + user_id[-4:], FOLLOWERS[user_id])
    for tweet_id, author, kind, target, text in tweets:
        at = T0 + (int(tweet_id[-3:]) - 100) * H  # the same time in both warehouses
        if kind == "link":
            s.tweet(tweet_id, author, at, f"{text} https://t.co/0", urls=(CAMPAIGN_URL,))
        elif kind == "rt":
            if target in {t[0] for t in tweets}:
                s.tweet(tweet_id, author, at, retweet=target)
        elif kind == "quote":
            s.tweet(tweet_id, author, at, text, quote=target)
        else:
            s.tweet(tweet_id, author, at, text, reply_to=target)
    for tweet_id, user_ids in likes.items():
        s.like(tweet_id, *user_ids)
    return s


def build(base, name: str, with_removals: bool):
    from support import run_cli

    from tiemeter.settings import Home

    home = Home.resolve(base / name).ensure()
    if with_removals:
        s = scenario(TWEETS, LIKES, FOLLOWERS)
    else:  # the same input, as if the removed content had never been collected
        gone_users, gone_tweets = removed_users(), removed_tweets()
        s = scenario(
            [t for t in TWEETS if t[0] not in gone_tweets],
            {k: [u for u in v if u not in gone_users] for k, v in LIKES.items() if k not in gone_tweets},
            [u for u in FOLLOWERS if u not in gone_users],
        )
    assert run_cli(home, "import", "twarc", "--no-load", str(s.write(base / f"{name}.jsonl"))).code == 0
    if with_removals:
        path = base / "compliance.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in compliance_lines()))
        assert run_cli(home, "import", "twarc", "--no-load", str(path)).code == 0
    build_scenario(home, CONFIG)
    return home


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    base = tmp_path_factory.mktemp("removals")
    return build(base, "removed", True), build(base, "never_seen", False)


def mart_tables(home) -> list[str]:
    return [
        r[0]
        for r in rows(
            home,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1",
        )
    ]


# -- the tests --------------------------------------------------------------------------------------


def test_the_scenario_removes_something_of_each_kind():
    # guards the expectations below against a scenario that removes nothing
    assert removed_users() == {U, W}  # P's protection was reversed; U's unsuspend came before a suspend
    assert {tid(101), tid(102), tid(105), tid(106), tid(108), tid(110)} == removed_tweets()
    # the quote of a removed tweet stays (its author's own words) but no longer passes it on
    visible = [t for t in TWEETS if t[0] not in removed_tweets()]
    assert tid(103) in {t[0] for t in visible} and tid(103) not in expected_shares(visible)


def test_user_events_are_read_as_users(homes):
    home, _ = homes
    types = dict(rows(home, "SELECT DISTINCT resource_id, resource_type FROM core.x_compliance"))
    assert types == {rid: ("user" if rid in FOLLOWERS else "tweet") for _, rid, *_ in EVENTS}
    removals = {(r[0], r[1]) for r in rows(home, "SELECT resource_type, resource_id FROM core.removals")}
    assert removals == {("user", u) for u in removed_users()} | {
        ("tweet", rid) for kind, rid, *_ in EVENTS if kind == "batch" and rid not in FOLLOWERS
    }


def test_removed_tweets_are_listed_with_their_reason(homes):
    home, _ = homes
    got = dict(rows(home, "SELECT tweet_id, reason FROM core.removed_tweets"))
    assert set(got) == removed_tweets()
    by_id = {t[0]: t for t in TWEETS}
    for tweet_id, reason in got.items():
        _, author, kind, target, _ = by_id[tweet_id]
        if author in removed_users():
            assert reason.startswith("user_")
        elif kind == "rt":
            assert reason == "retweet_of_removed" and target in got
        else:
            assert reason == "deleted"


def test_campaign_shares_and_amplifiers_leave_out_removed_content(homes):
    home, _ = homes
    visible = [t for t in TWEETS if t[0] not in removed_tweets()]
    shares = expected_shares(visible)
    got = {r[0] for r in rows(home, "SELECT tweet_id FROM marts.campaign_sharing_tweets")}
    assert got == shares
    assert len(expected_shares(TWEETS)) > len(shares)  # the removals did change the count
    authors = {t[0]: t[1] for t in TWEETS}
    amplifiers = dict(rows(home, "SELECT user_id, shares FROM marts.campaign_amplifiers"))
    assert amplifiers == {u: sum(1 for s in shares if authors[s] == u) for u in {authors[s] for s in shares}}
    summary = rows(home, "SELECT sharing_tweets, amplifiers FROM marts.campaign_summary")
    assert summary == [(len(shares), len({authors[s] for s in shares}))]


def test_no_mart_holds_a_removed_id_or_text(homes):
    home, _ = homes
    needles = removed_tweets() | removed_users() | {"SECRET-"}
    for table in mart_tables(home):
        found = rows(home, f"SELECT CAST(t AS VARCHAR) AS r FROM marts.{table} t")
        hits = [(n, r[0]) for r in found for n in needles if n in r[0]]
        assert hits == [], table


def _rounded(table: list[tuple]) -> list[tuple]:
    """Floats to 9 places: sums over rows in another order differ in the last bits."""
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in table]


def test_every_mart_equals_the_marts_of_data_that_never_held_the_removed_content(homes):
    removed, never_seen = homes
    assert mart_tables(removed) == mart_tables(never_seen)
    compared = 0
    for table in mart_tables(removed):
        got = _rounded(rows(removed, f"SELECT * FROM marts.{table} ORDER BY ALL"))
        want = _rounded(rows(never_seen, f"SELECT * FROM marts.{table} ORDER BY ALL"))
        assert got == want, table
        compared += len(want)
    assert compared > 0


def test_removed_text_leaves_core_and_the_exports(homes, cli):
    home, _ = homes
    text_gone = {t[0] for t in TWEETS if t[1] in removed_users() or t[0] == tid(101)}
    text_gone |= {t[0] for t in TWEETS if t[2] == "rt" and t[3] in text_gone}
    tombstones = rows(
        home, "SELECT tweet_id, text, urls, removal_reason FROM core.tweets WHERE removal_reason IS NOT NULL"
    )
    assert {r[0] for r in tombstones} == text_gone
    assert all(r[1] is None and r[2] is None for r in tombstones)
    profiles = rows(
        home,
        "SELECT user_id, display_name, removal_reason FROM core.x_users WHERE removal_reason IS NOT NULL",
    )
    assert {r[0] for r in profiles} == removed_users() and all(r[1] is None for r in profiles)
    # the ids and the reasons stay
    assert {r[0] for r in rows(home, "SELECT tweet_id FROM core.tweets")} == {t[0] for t in TWEETS}

    assert cli(home, "export").code == 0
    exported = [
        p for p in home.exports.rglob("*") if p.is_file() and p.suffix in (".csv", ".parquet", ".duckdb")
    ]
    assert exported
    for path in exported:
        assert b"SECRET-" not in path.read_bytes(), path
    csv_text = "".join(p.read_text() for p in home.exports.rglob("*.csv"))
    assert all(tweet_id in csv_text for tweet_id in text_gone)  # the tombstones' ids are exported
