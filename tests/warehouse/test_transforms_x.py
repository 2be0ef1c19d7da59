"""Marts on a hand-built X scenario. Every expected number is worked out here, by hand or with the
formula from docs/metrics.md, never read back from the warehouse."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from scenario import T0, XScenario
from transform_helpers import build_scenario, keyed_rows, rows

MARK, ALICE, BOB, HEAVY, CAROL, EVE = "1", "2", "3", "4", "5", "6"
AS_OF = T0 + timedelta(days=10)
CONFIG = {
    "accounts": [{"name": "Mark", "x_username": "mark"}],
    "campaigns": [{"name": "appeal", "url": "https://example.blog/appeal/", "owner": "Mark"}],
    "metrics": {"as_of": AS_OF.isoformat()},
}


def scenario() -> XScenario:
    s = XScenario()
    s.user(MARK, "mark", 1_000)
    s.user(ALICE, "alice", 50)
    s.user(BOB, "bob", 200)
    s.user(HEAVY, "heavy", 150_000)
    s.user(CAROL, "carol", 10)
    s.user(EVE, "eve", 5)
    h = timedelta(hours=1)
    s.tweet(
        "100",
        MARK,
        T0,
        "please help https://t.co/0",
        urls=("http://www.example.blog/appeal?utm_source=tw",),
        metrics={
            "retweet_count": 1,
            "reply_count": 1,
            "like_count": 2,
            "quote_count": 1,
            "impression_count": 5000,
        },
    )
    s.tweet("101", ALICE, T0 + h, "done!", reply_to="100", mentions=(MARK,))
    s.tweet("102", MARK, T0 + 2 * h, "thank you", reply_to="101", mentions=(ALICE,))
    s.tweet("103", BOB, T0 + 3 * h, retweet="100")
    s.tweet("104", HEAVY, T0 + 4 * h, "worth it", quote="100", metrics=False)
    s.tweet("105", CAROL, T0 + 5 * h, retweet="104")
    s.tweet("106", ALICE, T0 + 6 * h, "hi @bob and @mark", mentions=(BOB, MARK))
    s.tweet("107", BOB, T0 + 7 * h, "this one was deleted", reply_to="100", mentions=(MARK,))
    s.tweet("108", MARK, T0 + timedelta(days=20), "after the reference time", mentions=(ALICE,))
    s.like("100", CAROL, ALICE)
    s.like("104", EVE)
    s.deleted("107")
    return s


CONVERSIONS = """email,x_handle,name,url,amount,currency,occurred_at,campaign,note
,alice,,,50,USD,2012-12-02T10:00:00Z,appeal,first gift
,carol,,,20,USD,2012-12-03T10:00:00Z,https://example.blog/appeal,
,,Dave Nobody,,10,USD,2012-12-04T10:00:00Z,appeal,
,eve,,,5,USD,2012-12-05T10:00:00Z,appeal,
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from support import run_cli

    from tiemeter.settings import Home

    base = tmp_path_factory.mktemp("xscenario")
    home = Home.resolve(base / "home").ensure()
    pages = scenario().write(base / "pages.jsonl")
    assert run_cli(home, "import", "twarc", "--no-load", str(pages)).code == 0
    (base / "donations.csv").write_text(CONVERSIONS)
    assert run_cli(home, "import", "conversions", "--no-load", str(base / "donations.csv")).code == 0
    build_scenario(home, CONFIG)
    return home


def interactions(home) -> set[tuple]:
    return set(
        rows(
            home,
            "SELECT kind, replace(actor_person_id, 'x:', ''), replace(target_person_id, 'x:', ''), content_id "
            "FROM core.interactions",
        )
    )


def test_interactions_follow_the_counting_rules(built):
    expected = {
        ("reply", ALICE, MARK, "101"),
        ("reply", MARK, ALICE, "102"),  # the @alice in a reply to alice is the reply, not a mention
        ("retweet", BOB, MARK, "103"),  # the "RT @mark:" mention is X's, not bob's
        ("quote", HEAVY, MARK, "104"),
        ("retweet", CAROL, HEAVY, "105"),
        ("mention", ALICE, BOB, "106"),
        ("mention", ALICE, MARK, "106"),
        ("like", CAROL, MARK, f"like:100:{CAROL}"),
        ("like", ALICE, MARK, f"like:100:{ALICE}"),
        ("like", EVE, HEAVY, f"like:104:{EVE}"),
        ("mention", MARK, ALICE, "108"),  # after as_of, but core keeps it: marts filter by time
    }
    assert interactions(built) == expected  # 107 was deleted: gone


def test_post_reach_and_engagement(built):
    got = keyed_rows(
        built,
        "SELECT post_id, author_followers, potential_impressions, impressions, replies, retweets, quotes, likes, "
        "engagements, engagement_rate_followers, engagement_rate_impressions FROM marts.post_reach_engagement",
    )
    # 100: mark's 1,000 followers + bob (retweet, 200) + heavy (quote, 150,000); metrics from the API
    assert got["100"] == (1000, 1000 + 200 + 150_000, 5000, 1, 1, 1, 2, 5, 5 / 1000, 5 / 5000)
    # 104: heavy's quote, retweeted by carol (10); no API counts, so counted: 1 retweet (carol), 1 like (eve)
    assert got["104"] == (150_000, 150_010, None, 0, 1, 0, 1, 2, 2 / 150_000, 2 / 150_010)
    assert set(got) == {
        "100",
        "101",
        "102",
        "104",
        "106",
    }  # retweets are not posts; 107 deleted; 108 after as_of


def test_campaign_summary_and_conversions(built):
    summary = rows(
        built,
        "SELECT sharing_tweets, amplifiers, heavyweight_amplifiers, potential_impressions, heavyweight_potential_impressions, "
        "conversions, conversion_amount, conversions_via_heavyweights FROM marts.campaign_summary",
    )
    # shares: 100 (link), 103 (retweet of it), 104 (quote of it); amplifiers mark, bob, heavy
    assert summary == [(3, 3, 1, 1000 + 200 + 150_000, 150_000, 4, 85, 1)]
    via = dict(
        rows(
            built,
            "SELECT replace(person_id, 'x:', ''), via_heavyweights_only FROM marts.campaign_conversions WHERE person_id IS NOT NULL",
        )
    )
    # eve only liked heavy's quote; carol liked mark's own tweet; alice talks with mark
    assert via == {ALICE: False, CAROL: False, EVE: True}
    matched = dict(rows(built, "SELECT coalesce(x_handle, name), match_rule FROM core.conversions"))
    assert matched == {
        "alice": "x_handle",
        "carol": "x_handle",
        "Dave Nobody": "unmatched",
        "eve": "x_handle",
    }
    extra = rows(built, "SELECT extra->>'note' FROM core.conversions WHERE x_handle = 'alice'")
    assert extra == [("first gift",)]


def tie(
    out: int,
    into: int,
    active_days: int,
    duration_days: int,
    recency_days: int,
    channels: int,
    span_days: int,
) -> float:
    """docs/metrics.md, tie strength, with the default weights (every interaction weighs 1)."""
    reciprocity = min(out, into) / max(out, into) if out and into else 0
    terms = {
        "intensity": (0.30, 1 - math.exp(-(out + into) / 10)),
        "recency": (0.25, math.exp(-recency_days / 180)),
        "reciprocity": (0.15, reciprocity),
        "active_days": (0.10, 1 - math.exp(-active_days / 5)),
        "duration": (0.10, min(1, duration_days / 365)),
        "channels": (0.10, min(1, channels - 1)),
        "frequency": (0.10, active_days / max(span_days, 7)),  # days per week / 7
    }
    return sum(w * t for w, t in terms.values()) / sum(w for w, _ in terms.values())


def test_tie_strength(built):
    got = keyed_rows(
        built,
        "SELECT replace(person_id, 'x:', ''), interactions_out, interactions_in, reciprocity, active_days, "
        "recency_days, is_friend, tie_strength, tie_class FROM marts.tie_strength",
    )
    # alice: mark -> alice reply (1 out; the mention in 108 is after as_of); alice -> mark: reply, mention, like (3 in)
    # all on 2012-12-01, 9 days before the reference time (2012-12-11 12:00)
    alice = tie(1, 3, 1, 0, 10, 1, span_days=1)
    assert got[ALICE][:6] == (1, 3, 1 / 3, 1, 10, False)
    assert got[ALICE][6] == pytest.approx(alice)
    # heavy: one quote; carol: one like (both 2012-12-01); bob: one retweet. Nobody else.
    assert set(got) == {ALICE, BOB, HEAVY, CAROL}
    assert got[BOB][:2] == (0, 1) and got[BOB][6] == pytest.approx(tie(0, 1, 1, 0, 10, 1, span_days=1))
    classes = {k: v[7] for k, v in got.items()}
    expected_class = {
        k: ("strong" if v[6] >= 0.5 else "weak" if v[6] >= 0.15 else "none") for k, v in got.items()
    }
    assert classes == expected_class


def test_conversions_by_tie(built):
    got = {
        r[0]: r[1:]
        for r in rows(
            built, "SELECT tie_class, conversions, amount, unmatched FROM marts.campaign_conversions_by_tie"
        )
    }
    ties = dict(rows(built, "SELECT replace(person_id, 'x:', ''), tie_class FROM marts.tie_strength"))
    amounts = {ALICE: 50, CAROL: 20, EVE: 5}
    expected = {"strong": [0, 0, 0], "weak": [0, 0, 0], "none": [1, 10, 1]}  # Dave is unmatched
    for person, amount in amounts.items():
        cls = ties.get(person, "none")  # eve never interacted with mark: no tie
        expected[cls][0] += 1
        expected[cls][1] += amount
    assert {k: list(v) for k, v in got.items()} == expected


def test_reference_time_makes_later_data_irrelevant(built, tmp_path):
    """The same warehouse with one more tweet after as_of gives the same marts."""
    from support import run_cli

    from tiemeter.settings import Home

    home = Home.resolve(tmp_path / "later").ensure()
    s = scenario()
    s.tweet("200", ALICE, AS_OF + timedelta(days=3), "later @mark", mentions=(MARK,))
    run_cli(home, "import", "twarc", "--no-load", str(s.write(tmp_path / "p.jsonl")))
    (tmp_path / "d.csv").write_text(CONVERSIONS)
    run_cli(home, "import", "conversions", "--no-load", str(tmp_path / "d.csv"))
    build_scenario(home, CONFIG)
    for mart in (
        "marts.tie_strength",
        "marts.campaign_summary",
        "marts.post_reach_engagement",
        "marts.spread_scores",
    ):
        sql = (
            f"SELECT * EXCLUDE (display_name) FROM {mart} ORDER BY ALL"
            if mart == "marts.tie_strength"
            else f"SELECT * FROM {mart} ORDER BY ALL"
        )
        assert rows(home, sql) == rows(built, sql), mart


def test_transform_twice_gives_the_same_tables(built):
    marts = [
        f"marts.{name}"
        for (name,) in rows(built, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'")
    ]
    assert len(marts) > 10
    before = {m: rows(built, f"SELECT * FROM {m} ORDER BY ALL") for m in marts}
    build_scenario(built, CONFIG)
    assert {m: rows(built, f"SELECT * FROM {m} ORDER BY ALL") for m in marts} == before


def test_data_checks_pass(built):
    from transform_helpers import failed_checks

    assert failed_checks(built) == []


def test_spread_score_parts(built):
    """Window ending at as_of: mark is engaged by alice, bob, heavy, carol (4 people, 6 reactions, 3 posts)."""
    got = rows(
        built,
        "SELECT true_reach, reactions, posts, amplification, spread_score FROM marts.spread_scores s "
        "JOIN marts.analysis_window w ON s.window_end = w.as_of WHERE account_name = 'Mark'",
    )
    # reactions: reply 101, retweet 103, quote 104, mention 106, likes by carol and alice
    # posts by mark before as_of: 100 and 102
    assert got[0][:4] == (4, 6, 2, 3.0)
    assert 1 <= got[0][4] <= 100
    # only configured accounts get rows: Mark alone
    top = rows(
        built,
        "SELECT max(true_reach), max(amplification) FROM marts.spread_scores s JOIN marts.analysis_window w ON s.window_end = w.as_of",
    )
    assert top == [(4, 3.0)]


def test_status_counts_unmatched_conversions(built, cli):
    result = cli(built, "status")
    assert "Conversions: 4 (85.00 in total), 1 not matched to a person" in result.out  # Dave Nobody
