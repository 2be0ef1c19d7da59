"""Conversion attribution (marts.conversion_attribution) and "only through the heavyweights", on a
hand-built scenario. The expected credit of every conversion is worked out here by a separate Python
implementation of each rule over the scenario's own tweets, likes, comments and donations."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import timedelta

import pytest
from scenario import T0, XScenario
from transform_helpers import build_scenario, failed_checks, rebuild_marts, rows

from tiemeter.config import ConfigError, parse_config

MARK, HEAVY, REG = "1", "2", "3"
D1, D2, D3, D4, D5, D8, D9 = "11", "12", "13", "14", "15", "18", "19"
FOLLOWERS = {MARK: 1_000, HEAVY: 150_000, REG: 300, D1: 5, D2: 6, D3: 7, D4: 8, D5: 9, D8: 10, D9: 11}
HEAVYWEIGHT = 100_000
AS_OF = T0 + timedelta(days=10)
H, D = timedelta(hours=1), timedelta(days=1)

# the URLs each campaign's link tweets carry (spelled differently: compared after normalisation)
LINKS = {
    "appeal": {
        "http://www.example.blog/appeal?utm_source=tw",
        "https://example.blog/appeal/",
        "example.blog/appeal",
    },
    "other": {"https://example.blog/other/"},
}
CONFIG = {
    "accounts": [{"name": "Mark", "x_username": "mark"}],
    "campaigns": [
        {"name": "appeal", "url": "https://example.blog/appeal/", "owner": "Mark"},
        {"name": "other", "url": "https://example.blog/other", "owner": "Mark"},
    ],
    "blogs": [
        {
            "name": "grow",
            "site_url": "https://example.blog/",
            "feed_url": "https://example.blog/feed/",
            "owner": "Mark",
        }
    ],
    "metrics": {"as_of": AS_OF.isoformat()},
}

APPEAL_POST, OLD_POST = "example.blog/appeal", "example.blog/2009/hello"
POSTS = [
    (APPEAL_POST, "grow", "https://example.blog/appeal/", "A door", "Mark Schaefer", T0 - 2 * D, 2, "feed"),
    (OLD_POST, "grow", "https://example.blog/2009/hello/", "Hello", "Mark Schaefer", T0 - 900 * D, 1, "feed"),
]


def comment(cid, post, name, at):
    return (
        f"grow:feed:{cid}",
        "grow",
        post,
        None,
        name,
        None,
        None,
        None,
        at,
        "text",
        "comment",
        False,
        "feed",
    )


# Dora is a commenter only (not on X); her second comment is on a 2009 post, which is no campaign's
COMMENTS = [comment("c1", APPEAL_POST, "Dora", T0 + D), comment("c2", OLD_POST, "Dora", T0 + D + H)]


def scenario() -> XScenario:
    s = XScenario()
    names = {MARK: "mark", HEAVY: "heavy", REG: "reg", **{u: label for label, u in DONOR_USER.items()}}
    for user_id, followers in FOLLOWERS.items():
        s.user(user_id, names[user_id], followers)
    s.tweet("100", MARK, T0, "please help", urls=("http://www.example.blog/appeal?utm_source=tw",))
    s.tweet("110", HEAVY, T0 + H, "give!", urls=("https://example.blog/appeal/",))
    s.tweet("130", REG, T0 + 3 * H, "so good", quote="100")
    s.tweet("140", REG, T0 + 4 * H, "other thing", urls=("https://example.blog/other/",))
    # D1's only contact: a retweet of the heavyweight's link tweet
    s.tweet("201", D1, T0 + D, retweet="110")
    # D2 tweets the URL on their own, and retweets the heavyweight
    s.tweet("202", D2, T0 + D, "me too", urls=("example.blog/appeal",))
    s.tweet("203", D2, T0 + D + H, retweet="110")
    # D3: likes mark's tweet (dated by it: T0), replies twice to reg's quote, retweets the heavyweight
    s.like("100", D3)
    s.tweet("204", D3, T0 + 2 * D, "nice", reply_to="130")
    s.tweet("205", D3, T0 + 2 * D + H, "really", reply_to="130")
    s.tweet("206", D3, T0 + 3 * D, retweet="110")
    # D4 replied 8 days before giving: outside a 7-day lookback, inside a 10-day one
    s.tweet("207", D4, T0 + D, "ok", reply_to="100")
    # D5 engaged only after giving
    s.tweet("208", D5, T0 + 2 * D, "late", reply_to="130")
    # D8 names no campaign: touched by the other campaign's tweet
    s.tweet("209", D8, T0 + D, "yes", reply_to="140")
    # D9 gives to the appeal but touched only the other campaign's tweet
    s.tweet("210", D9, T0 + 5 * H, "hm", reply_to="140")
    return s


# donor label, how the CSV names them, amount, when, campaign
DONATIONS = [
    ("d1", "x_handle", 10, T0 + 2 * D, "appeal"),
    ("d2", "x_handle", 20, T0 + 2 * D, "appeal"),
    ("d3", "x_handle", 30, T0 + 4 * D, "appeal"),
    ("d4", "x_handle", 40, T0 + 9 * D, "appeal"),
    ("d5", "x_handle", 50, T0 + D, "appeal"),
    ("Dora", "name", 60, T0 + 2 * D, "https://example.blog/appeal"),
    ("Nobody", "name", 70, T0 + 2 * D, "appeal"),
    ("d8", "x_handle", 80, T0 + 2 * D, ""),
    ("d9", "x_handle", 90, T0 + D, "appeal"),
]
DONOR_USER = {"d1": D1, "d2": D2, "d3": D3, "d4": D4, "d5": D5, "d8": D8, "d9": D9}


def donations_csv() -> str:
    lines = ["email,x_handle,name,url,amount,currency,occurred_at,campaign"]
    for label, key, amount, at, campaign in DONATIONS:
        handle, name = (label, "") if key == "x_handle" else ("", label)
        lines.append(f",{handle},{name},,{amount},USD,{at.strftime('%Y-%m-%dT%H:%M:%SZ')},{campaign}")
    return "\n".join(lines) + "\n"


# -- an independent implementation of the rules, over the scenario itself ---------------------------


def sharing_tweets(s: XScenario) -> dict[str, dict[str, dict]]:
    """campaign -> {tweet id -> tweet}: link tweets, and retweets and quotes of them."""
    out = {}
    for campaign, links in LINKS.items():
        link = {
            t["id"]: t
            for t in s.tweets
            if not any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
            and any(u["expanded_url"] in links for u in t.get("entities", {}).get("urls", []))
        }
        passed = {
            t["id"]: t
            for t in s.tweets
            if any(
                r["id"] in link and r["type"] in ("retweeted", "quoted")
                for r in t.get("referenced_tweets", [])
            )
        }
        out[campaign] = {**link, **passed}
    return out


def when(tweet: dict):
    from datetime import datetime

    return datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))


def touches_of(s: XScenario, donor: str, campaign: str) -> list[tuple]:
    """(time, post id, channel) of the donor's engagements with the campaign's posts, at any time."""
    shared = sharing_tweets(s)[campaign]
    by_id = {t["id"]: t for t in s.tweets}
    found = []
    user = DONOR_USER.get(donor)
    for t in s.tweets:
        if t["author_id"] != user:
            continue
        for ref in t.get("referenced_tweets", []):
            if ref["id"] in shared:
                found.append((when(t), ref["id"], "x"))
    for tweet_id, likers in s.likes.items():
        if user in likers and tweet_id in shared:
            found.append((when(by_id[tweet_id]), tweet_id, "x"))  # a like is dated by the liked tweet
    appeal_post = {"appeal": APPEAL_POST}.get(campaign)
    for c in COMMENTS:
        if c[4] == donor and c[2] == appeal_post:
            found.append((c[8], c[2], "blog"))
    return found


def expected_credits(s: XScenario, rule: str, lookback_days: int) -> dict[str, dict]:
    """donor -> {credited post (None when none): credit}."""
    out = {}
    for donor, _, _, at, campaign in DONATIONS:
        name = {"https://example.blog/appeal": "appeal", "": None}.get(campaign, campaign)
        campaigns = [name] if name else list(LINKS)
        touches = [
            t
            for c in campaigns
            for t in touches_of(s, donor, c)
            if t[0] <= at and (at - t[0]).total_seconds() <= lookback_days * 86400
        ]
        times = [t[0] for t in touches]
        assert len(set(times)) == len(times), "the scenario keeps touch times distinct"
        if not touches:
            out[donor] = {None: 0.0}
        elif rule == "last_touch":
            out[donor] = {max(touches)[1]: 1.0}
        elif rule == "first_touch":
            out[donor] = {min(touches)[1]: 1.0}
        else:
            counts = Counter(t[1] for t in touches)
            out[donor] = {post: n / len(touches) for post, n in counts.items()}
    return out


def author_of(s: XScenario, post_id: str) -> str:
    return {t["id"]: t["author_id"] for t in s.tweets}.get(post_id, MARK)  # blog posts are mark's


# -- the builds -------------------------------------------------------------------------------------

RUNS = {
    "last_touch": {},
    "first_touch": {"attribution_rule": "first_touch"},
    "linear": {"attribution_rule": "linear"},
    "last_touch_10d": {"attribution_lookback_days": 10},
}


def config_for(run: str) -> dict:
    return {**CONFIG, "metrics": {**CONFIG["metrics"], **RUNS[run]}}


ATTRIBUTION_SQL = """
    SELECT coalesce(c.x_handle, c.name), a.post_id, a.credit, a.credited_amount, a.channel, a.campaign,
        a.author_user_id, a.amplifier_class, a.rule, a.touches
    FROM marts.conversion_attribution a JOIN core.conversions c USING (conversion_id)
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One warehouse, transformed once per rule; each run's marts are kept (and a copy of its file)."""
    from support import run_cli

    from tiemeter.settings import Home

    base = tmp_path_factory.mktemp("attribution")
    home = Home.resolve(base / "home").ensure()
    assert (
        run_cli(home, "import", "twarc", "--no-load", str(scenario().write(base / "pages.jsonl"))).code == 0
    )
    (base / "donations.csv").write_text(donations_csv())
    assert run_cli(home, "import", "conversions", "--no-load", str(base / "donations.csv")).code == 0
    results = {}
    for run in RUNS:
        if not results:
            build_scenario(home, config_for(run), POSTS, COMMENTS)
            checks = failed_checks(home)
        else:
            # The runs differ only in [metrics], which only marts read: landing, staging and core stay
            # the first run's (already checked); the marts are rebuilt and checked again.
            checks = rebuild_marts(home, config_for(run))
        results[run] = {
            "attribution": rows(home, ATTRIBUTION_SQL),
            "posts": {
                r[0]: r[1:]
                for r in rows(
                    home, "SELECT post_id, conversions, conversion_amount FROM marts.post_reach_engagement"
                )
            },
            "accounts": rows(
                home, "SELECT sum(conversions), sum(conversion_amount) FROM marts.account_reach_engagement"
            ),
            "classes": {
                (r[0], r[1]): r[2:]
                for r in rows(
                    home,
                    "SELECT campaign, amplifier_class, amplifiers, sharing_tweets, potential_impressions, "
                    "credited_conversions, credited_amount, impressions_per_conversion "
                    "FROM marts.campaign_by_amplifier_class",
                )
            },
            "failed_checks": checks,
        }
        shutil.copy(home.db_path, base / f"{run}.duckdb")
    return home, base, results


@pytest.mark.parametrize("run", list(RUNS))
def test_each_conversion_is_credited_by_the_rule(built, run):
    _, _, results = built
    rule = RUNS[run].get("attribution_rule", "last_touch")
    lookback = RUNS[run].get("attribution_lookback_days", 7)
    expected = expected_credits(scenario(), rule, lookback)
    got: dict[str, dict] = {}
    for donor, post, credit, *_ in results[run]["attribution"]:
        got.setdefault(donor, {})[post] = pytest.approx(credit)
    assert {d: {p: c for p, c in v.items()} for d, v in got.items()} == {
        d: {p: pytest.approx(c) for p, c in v.items()} for d, v in expected.items()
    }
    assert {r[8] for r in results[run]["attribution"]} == {rule}


def test_the_scenario_tells_the_rules_apart(built):
    """Not vacuous: the rules and lookbacks credit different posts here."""
    s = scenario()
    last, first, linear = (expected_credits(s, r, 7) for r in ("last_touch", "first_touch", "linear"))
    assert last["d3"] != first["d3"] and len(linear["d3"]) == 3
    assert (
        expected_credits(s, "last_touch", 7)["d4"]
        == {None: 0.0}
        != expected_credits(s, "last_touch", 10)["d4"]
    )
    assert last["d5"] == last["d9"] == last["Nobody"] == {None: 0.0}
    # and every donor but Nobody is matched to their person, by the key the CSV gives
    home, _, _ = built
    matched = dict(rows(home, "SELECT coalesce(x_handle, name), match_rule FROM core.conversions"))
    assert matched == {d[0]: (d[1] if d[0] != "Nobody" else "unmatched") for d in DONATIONS}


def test_credited_post_author_class_and_amount(built):
    _, _, results = built
    s = scenario()
    shared = sharing_tweets(s)
    amount = {d[0]: d[2] for d in DONATIONS}
    for run in RUNS:
        for donor, post, credit, credited_amount, channel, campaign, author, klass, _, touches in results[
            run
        ]["attribution"]:
            assert credited_amount == pytest.approx(amount[donor] * credit)
            if post is None:
                assert (channel, author, klass, credit) == (None, None, None, 0)
                continue
            assert touches >= 1
            assert channel == ("blog" if post == APPEAL_POST else "x")
            assert author == author_of(s, post)
            assert klass == ("heavyweight" if FOLLOWERS[author] >= HEAVYWEIGHT else "regular")
            # the credited post is one of the campaign's posts
            assert post == APPEAL_POST or post in shared[campaign]


def test_posts_and_accounts_take_their_conversions_from_attribution(built):
    _, _, results = built
    s = scenario()
    amount = {d[0]: d[2] for d in DONATIONS}
    for run in RUNS:
        rule = RUNS[run].get("attribution_rule", "last_touch")
        expected: dict[str, list] = {}
        for donor, credits in expected_credits(
            s, rule, RUNS[run].get("attribution_lookback_days", 7)
        ).items():
            for post, credit in credits.items():
                if post is not None:
                    expected.setdefault(post, [0, 0])
                    expected[post][0] += credit
                    expected[post][1] += credit * amount[donor]
        got = {p: v for p, v in results[run]["posts"].items() if v[0] != 0}
        assert set(got) == set(expected), run
        for post, (conversions, conversion_amount) in got.items():
            assert conversions == pytest.approx(expected[post][0]) and float(
                conversion_amount
            ) == pytest.approx(expected[post][1]), (run, post)
        # the 2009 post gets nothing, though Dora, who gave, commented on it
        assert results[run]["posts"][OLD_POST] == (0, 0)
        # every credited post here is by mark (the account in scope) or by the amplifiers
        mark_posts = {p for p in expected if author_of(s, p) == MARK}
        conversions, conversion_amount = results[run]["accounts"][0]
        assert conversions == pytest.approx(sum(expected[p][0] for p in mark_posts))
        assert float(conversion_amount) == pytest.approx(sum(expected[p][1] for p in mark_posts))


def test_credits_never_exceed_what_happened(built):
    _, _, results = built
    happened = len(DONATIONS)
    total = sum(d[2] for d in DONATIONS)
    for run in RUNS:
        credited = [v for v in results[run]["posts"].values()]
        assert sum(c for c, _ in credited) <= happened + 1e-9
        assert sum(float(a) for _, a in credited) <= total + 1e-9
        by_conversion = Counter()
        for donor, _, credit, *_ in results[run]["attribution"]:
            by_conversion[donor] += credit
        assert set(by_conversion) == {d[0] for d in DONATIONS}  # every conversion has its row(s)
        assert all(c <= 1 + 1e-9 for c in by_conversion.values())
        assert results[run]["failed_checks"] == [], run


def test_the_data_check_catches_double_credit(built):
    """The data check is not vacuous: crediting one conversion to a second post fails it."""
    import contextlib

    import duckdb

    from tiemeter.settings import Home
    from tiemeter.transforms.project import run_tests

    _, base, _ = built
    copy = Home.resolve(base / "tampered", base / "tampered.duckdb")
    shutil.copy(base / "last_touch.duckdb", copy.db_path)
    select = ["post_reach_engagement", "conversion_attribution"]
    before = run_tests(copy, select=select)
    assert before.tests and [str(t) for t in before.failed_tests] == []
    with contextlib.closing(duckdb.connect(str(copy.db_path))) as con:
        con.execute(
            "UPDATE marts.post_reach_engagement SET conversions = conversions + 100, "
            "conversion_amount = conversion_amount + 1000 WHERE post_id = ?",
            [OLD_POST],
        )
        con.execute(
            "INSERT INTO marts.conversion_attribution SELECT * REPLACE ('x' AS post_id) FROM marts.conversion_attribution WHERE post_id = '110'"
        )
    failed = [t.name for t in run_tests(copy, select=select).failed_tests]
    # the totals' checks on both columns of the post mart, and the one-credit-per-conversion check
    assert sum("post_reach_engagement" in name for name in failed) >= 2, failed
    assert any("conversion_attribution" in name for name in failed), failed


def class_of(user: str) -> str:
    return "heavyweight" if FOLLOWERS[user] >= HEAVYWEIGHT else "regular"


def expected_by_class(s: XScenario, run: str) -> dict[tuple, tuple]:
    """(campaign, class) -> amplifiers, sharing tweets, potential impressions (followers x shares),
    credited conversions and amount (credits to the class's sharing tweets)."""
    amount = {d[0]: d[2] for d in DONATIONS}
    donation_campaign = {
        d[0]: {"https://example.blog/appeal": "appeal", "": None}.get(d[4], d[4]) for d in DONATIONS
    }
    rule = RUNS[run].get("attribution_rule", "last_touch")
    credits = expected_credits(s, rule, RUNS[run].get("attribution_lookback_days", 7))
    out = {}
    for campaign, tweets in sharing_tweets(s).items():
        for klass in ("heavyweight", "regular"):
            shares = Counter(t["author_id"] for t in tweets.values() if class_of(t["author_id"]) == klass)
            credited = [
                (c, c * amount[donor])
                for donor, posts in credits.items()
                for post, c in posts.items()
                if post in tweets
                and class_of(author_of(s, post)) == klass
                and donation_campaign[donor] in (campaign, None)
            ]
            out[(campaign, klass)] = (
                len(shares),
                sum(shares.values()),
                sum(FOLLOWERS[a] * n for a, n in shares.items()),
                sum(c for c, _ in credited),
                sum(a for _, a in credited),
            )
    return out


def test_conversions_by_amplifier_class(built):
    _, _, results = built
    s = scenario()
    for run in RUNS:
        expected = expected_by_class(s, run)
        got = results[run]["classes"]
        assert set(got) == set(expected)  # both classes of every campaign, even when empty
        for key, (amplifiers, tweets, impressions, conversions, amount) in expected.items():
            row = got[key]
            assert row[:3] == (amplifiers, tweets, impressions), (run, key)
            assert row[3] == pytest.approx(conversions) and float(row[4]) == pytest.approx(amount), (run, key)
            assert row[5] == (pytest.approx(impressions / conversions) if conversions else None), (run, key)
    # not vacuous: the heavyweight's appeal row has credit under the default rule, the other campaign none
    assert expected_by_class(s, "last_touch")[("appeal", "heavyweight")][3] == 3
    assert expected_by_class(s, "last_touch")[("other", "heavyweight")][:4] == (0, 0, 0, 0)


def via_heavyweights_only(s: XScenario, donor: str) -> bool:
    """docs/metrics.md: no tie with the owner, no engagement with the owner's or a regular amplifier's
    sharing tweet, no original tweet of the URL, and engagement with a heavyweight's sharing tweet."""
    user = DONOR_USER.get(donor)
    shared = sharing_tweets(s)["appeal"]
    by_id = {t["id"]: t for t in s.tweets}
    if user is None:
        return False
    mine = [t for t in s.tweets if t["author_id"] == user]
    engaged = {r["id"] for t in mine for r in t.get("referenced_tweets", []) if r["id"] in shared}
    engaged |= {tid for tid, likers in s.likes.items() if user in likers and tid in shared}
    authors = {by_id[t]["author_id"] for t in engaged}
    owner_tie = MARK in {
        by_id[r["id"]]["author_id"] for t in mine for r in t.get("referenced_tweets", [])
    } or any(m["id"] == MARK for t in mine for m in t.get("entities", {}).get("mentions", []))
    owner_tie |= any(user in likers and by_id[tid]["author_id"] == MARK for tid, likers in s.likes.items())
    own_share = any(
        "referenced_tweets" not in t
        and any(u["expanded_url"] in LINKS["appeal"] for u in t.get("entities", {}).get("urls", []))
        for t in mine
    )
    heavy = {a for a in authors if a != MARK and FOLLOWERS[a] >= HEAVYWEIGHT}
    regular = authors - heavy
    return bool(heavy) and not regular and not owner_tie and not own_share


def test_a_retweet_of_a_heavyweight_is_engagement_not_a_share(built):
    home, _, _ = built
    s = scenario()
    got = {
        r[0]: r[1:]
        for r in rows(
            home,
            "SELECT coalesce(c.x_handle, c.name), v.via_heavyweights_only, v.shared_it "
            "FROM marts.campaign_conversions v JOIN core.conversions c USING (conversion_id)",
        )
    }
    expected_via = {d[0]: via_heavyweights_only(s, d[0]) for d in DONATIONS if d[4] != ""}
    assert {d: v[0] for d, v in got.items()} == expected_via
    assert expected_via["d1"] is True  # only retweeted the heavyweight's link tweet
    assert expected_via["d2"] is False  # tweeted the URL in a tweet of their own
    # shared_it: an original tweet of the URL, nothing else
    assert {d for d, v in got.items() if v[1]} == {"d2"}
    summary = rows(
        home, "SELECT conversions_via_heavyweights FROM marts.campaign_summary WHERE campaign = 'appeal'"
    )
    assert summary == [(sum(expected_via.values()),)]


def test_attribution_config_is_validated():
    assert parse_config({}).metrics.attribution_rule == "last_touch"
    assert parse_config({}).metrics.attribution_lookback_days == 7
    for metrics, message in (
        ({"attribution_rule": "position"}, "metrics.attribution_rule: 'position' is not one of"),
        ({"attribution_lookback_days": 0}, "metrics.attribution_lookback_days: must be greater than 0"),
        ({"attribution_lookback_days": 1.5}, "metrics.attribution_lookback_days: expected int"),
    ):
        with pytest.raises(ConfigError, match=message):
            parse_config({"metrics": metrics})


def test_an_older_metrics_table_gets_the_new_columns(tmp_path):
    import duckdb

    from tiemeter.warehouse.context import ensure_context_tables

    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE SCHEMA meta")
    con.execute("CREATE TABLE meta.config_metrics (window_days INTEGER, as_of TIMESTAMPTZ)")
    con.execute("INSERT INTO meta.config_metrics VALUES (30, NULL)")
    ensure_context_tables(con)
    assert con.execute(
        "SELECT attribution_rule, attribution_lookback_days FROM meta.config_metrics"
    ).fetchall() == [("last_touch", 7)]
    con.close()
