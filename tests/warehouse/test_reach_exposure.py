"""Exposure (potential impressions) and potential reach, per post, per account and per campaign, and
the engagement rate's denominator. Every expected number is worked out in tests/exposure_scenario.py
from the scenario's input (tweets, follower snapshots, retweeted_by lists), never read back."""

from __future__ import annotations

import pytest
from exposure_scenario import (
    APPEAL,
    AS_OF,
    HEAVYWEIGHT,
    MARK,
    POST_PUBLISHED,
    at,
    build_exposure_home,
    exposure,
    followers_at,
    is_retweet,
    link_tweets,
    live,
    reach,
    shares_of_carriers,
    the_tweets,
)
from transform_helpers import failed_checks, keyed_rows, rows


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_exposure_home(tmp_path_factory.mktemp("exposure"))


def x_posts() -> dict[str, dict]:
    return {i: t for i, t in live(the_tweets()).items() if not is_retweet(t)}


def test_followers_at_tweet_time(built):
    """The snapshot in force when each tweet was posted: before the first snapshot, the earliest one."""
    got = dict(rows(built, "SELECT tweet_id, author_followers FROM marts.tweet_followers"))
    expected = {i: followers_at(t["author_id"], at(t)) for i, t in live(the_tweets()).items()}
    assert got == expected
    assert len(set(got.values())) > 5  # the counts differ between the two snapshots


def test_post_exposure_and_reach(built):
    got = {
        r[0]: r[1:]
        for r in rows(
            built, "SELECT post_id, potential_impressions, potential_reach FROM marts.post_reach_engagement"
        )
    }
    expected = {i: shares_of_carriers([i]) for i in x_posts()}
    expected[APPEAL] = shares_of_carriers(link_tweets(APPEAL))
    assert got == {post: (exposure(s), reach(s)) for post, s in expected.items()}
    # the heavyweight tweeted the appeal twice and retweeted mark's tweet once: counted three times
    # for exposure, once for reach, so the blog post's exposure exceeds its reach
    assert got[APPEAL][0] > got[APPEAL][1]


def test_account_exposure_per_day(built):
    """Per day, the union of the shares of the account's posts that day: a share counts once."""
    got = {
        str(r[0]): r[1:]
        for r in rows(
            built,
            "SELECT day, posts, potential_impressions, potential_reach FROM marts.account_reach_engagement "
            "WHERE account_name = 'Mark'",
        )
    }
    posts_by_day: dict[str, list] = {}
    for i, t in x_posts().items():
        if t["author_id"] == MARK:
            posts_by_day.setdefault(str(at(t).date()), []).append(shares_of_carriers([i]))
    posts_by_day.setdefault(str(POST_PUBLISHED.date()), []).append(shares_of_carriers(link_tweets(APPEAL)))
    expected = {}
    for day, sets in posts_by_day.items():
        union = set().union(*sets)
        expected[day] = (len(sets), exposure(union), reach(union))
    assert got == expected


def test_campaign_exposure_reach_and_heavyweights(built):
    shares = shares_of_carriers(link_tweets(APPEAL))
    heavy_users = {s.user_id for s in shares if followers_at(s.user_id, AS_OF) >= HEAVYWEIGHT}
    heavy = {s for s in shares if s.user_id in heavy_users}
    got = rows(
        built,
        "SELECT sharing_tweets, amplifiers, heavyweight_amplifiers, potential_impressions, potential_reach, "
        "heavyweight_potential_impressions, heavyweight_potential_reach FROM marts.campaign_summary",
    )
    tweeted = {s for s in shares if not s.share_id.startswith("listed:")}
    assert got == [
        (
            len(tweeted),
            len({s.user_id for s in shares}),
            len(heavy_users),
            exposure(shares),
            reach(shares),
            exposure(heavy),
            reach(heavy),
        )
    ]
    assert len(heavy_users) == 2 and exposure(heavy) > reach(heavy)
    amplifiers = dict(
        rows(
            built,
            "SELECT user_id, potential_impressions FROM marts.campaign_amplifiers WHERE campaign = 'appeal'",
        )
    )
    assert amplifiers == {
        u: exposure({s for s in shares if s.user_id == u}) for u in {s.user_id for s in shares}
    }
    followers = dict(rows(built, "SELECT user_id, followers FROM marts.campaign_amplifiers"))
    assert followers == {
        u: followers_at(u, AS_OF) for u in amplifiers
    }  # followers stay at the reference time


def test_engagement_rate_names_its_denominator(built):
    """impressions where the API gave a positive count, else potential impressions."""
    got = keyed_rows(
        built,
        "SELECT post_id, engagements, engagement_rate_impressions, engagement_rate_denominator "
        "FROM marts.post_reach_engagement",
    )
    tweets = x_posts()
    counted = {i: 0 for i in tweets}
    for t in live(the_tweets()).values():
        for ref in t.get("referenced_tweets", []):
            if ref["id"] in counted:
                counted[ref["id"]] += 1
    checked = set()
    for post_id, t in tweets.items():
        m = t.get("public_metrics")
        engagements = (
            sum(m[k] for k in ("reply_count", "retweet_count", "quote_count", "like_count"))
            if m
            else counted[post_id]
        )
        impressions = (m or {}).get("impression_count") or 0
        pot = exposure(shares_of_carriers([post_id]))
        if impressions > 0:
            expected = (engagements, pytest.approx(engagements / impressions), "impressions")
        else:
            expected = (engagements, pytest.approx(engagements / pot), "potential_impressions")
        assert got[post_id] == expected, post_id
        checked.add(expected[2])
    assert checked == {"impressions", "potential_impressions"}
    blog = got[APPEAL]
    assert blog[2] == "potential_impressions" and blog[1] == pytest.approx(
        blog[0] / exposure(shares_of_carriers(link_tweets(APPEAL)))
    )


def test_data_checks_pass(built):
    assert failed_checks(built) == []
