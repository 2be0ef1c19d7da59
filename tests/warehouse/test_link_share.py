"""Sharing someone's blog post is an interaction with them (kind link_share), and it weighs in tie
strength as a retweet does. Expected edges are worked out from the scenario's tweets in Python."""

from __future__ import annotations

import pytest
from exposure_scenario import (
    ABOUT,
    APPEAL,
    BOB,
    CAROL,
    MARK,
    at,
    build_exposure_home,
    is_retweet,
    live,
    norm,
    the_tweets,
)
from transform_helpers import failed_checks, keyed_rows, rows

BLOG_HOST = "example.blog"  # the configured blog's site_url, normalised
BLOG_POSTS = {norm(APPEAL): APPEAL}  # collected posts of that blog, all by its owner (Mark)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_exposure_home(tmp_path_factory.mktemp("link_share"))


def expected_link_shares() -> set[tuple]:
    """(actor, target, tweet, post): a tweet (not a retweet) by someone else linking into the blog."""
    edges = set()
    for t in live(the_tweets()).values():
        if is_retweet(t) or t["author_id"] == MARK:
            continue
        for u in t.get("entities", {}).get("urls", []):
            url = u["expanded_url"]
            if norm(url) in BLOG_POSTS:
                edges.add((t["author_id"], MARK, t["id"], BLOG_POSTS[norm(url)]))
            elif norm(url).startswith(BLOG_HOST + "/"):
                edges.add((t["author_id"], MARK, t["id"], url))
    return edges


def test_links_to_the_blog_are_link_shares(built):
    got = set(
        rows(
            built,
            "SELECT replace(actor_person_id, 'x:', ''), replace(target_person_id, 'x:', ''), content_id, post_id "
            "FROM core.interactions WHERE kind = 'link_share' AND channel = 'x'",
        )
    )
    expected = expected_link_shares()
    assert got == expected
    assert {e[3] for e in expected} == {APPEAL, ABOUT}  # a collected post, and a page that was not


def test_a_retweet_or_quote_of_a_link_tweet_engages_its_author(built):
    """Retweets carrying the link and quotes of a link tweet are retweets/quotes of its author."""
    tweets = live(the_tweets())
    link_tweets = {i for a, _, i, _ in expected_link_shares()} | {
        i
        for i, t in tweets.items()
        if not is_retweet(t)
        and any(norm(u["expanded_url"]) in BLOG_POSTS for u in t.get("entities", {}).get("urls", []))
    }
    passed_on = {
        i: (ref["type"], tweets[ref["id"]]["author_id"])
        for i, t in tweets.items()
        for ref in t.get("referenced_tweets", [])
        if ref["id"] in link_tweets and ref["type"] in ("retweeted", "quoted")
    }
    assert {"retweeted", "quoted"} <= {kind for kind, _ in passed_on.values()}
    got = {
        r[0]: (r[1], r[2])
        for r in rows(
            built,
            "SELECT content_id, kind, replace(target_person_id, 'x:', '') FROM core.interactions "
            "WHERE content_id IN (SELECT unnest(?::VARCHAR[]))",
            [list(passed_on)],
        )
    }
    kinds = {"retweeted": "retweet", "quoted": "quote"}
    assert got == {i: (kinds[kind], author) for i, (kind, author) in passed_on.items()}


def test_a_link_share_weighs_in_tie_strength_as_a_retweet_does(built):
    """carol's one link share and bob's one retweet of mark, on the same day: the same tie."""
    tweets = live(the_tweets())
    carol = [t for t in tweets.values() if t["author_id"] == CAROL and not is_retweet(t)]
    bob = [t for t in tweets.values() if t["author_id"] == BOB and is_retweet(t)]
    assert len(carol) == len(bob) == 1 and at(carol[0]).date() == at(bob[0]).date()
    ties = keyed_rows(
        built,
        "SELECT replace(person_id, 'x:', ''), interactions_out, interactions_in, reciprocity, active_days, "
        "duration_days, recency_days, channels, is_friend, tie_strength, tie_class "
        "FROM marts.tie_strength WHERE account_name = 'Mark' AND person_id IN ('x:' || ?, 'x:' || ?)",
        [CAROL, BOB],
    )
    assert ties[CAROL][:2] == (0, 1)
    assert ties[CAROL] == ties[BOB]
    edges = dict(
        rows(
            built,
            "SELECT replace(source_person_id, 'x:', ''), weight FROM marts.engagement_edges e "
            "JOIN marts.analysis_window w ON e.window_end = w.as_of "
            "WHERE target_person_id = 'x:' || ? AND source_person_id IN ('x:' || ?, 'x:' || ?)",
            [MARK, CAROL, BOB],
        )
    )
    assert edges == {CAROL: 1, BOB: 1}


def test_data_checks_pass(built):
    assert failed_checks(built) == []
