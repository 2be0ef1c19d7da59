"""The demo's dataset tells the case study's story: every number below is counted in plain Python
over the generated tweets, users, comments and donations (tests/case_study_counts.py), never read
from the pipeline. test_dag_runs.py checks that the marts, run through Airflow, agree."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from case_study_counts import (
    HEAVYWEIGHT,
    LOOKBACK,
    donor_identities,
    exposure_by_class,
    followers,
    last_touch,
    sharing_tweets,
    touches,
    when,
)

from tiemeter.demo.case_study import APPEAL_URL, build_case_study


@pytest.fixture(scope="module")
def study():
    return build_case_study()


def test_the_dataset_is_the_same_every_time(study):
    again = build_case_study()
    assert again.x_dataset() == study.x_dataset()
    assert again.blog_dataset() == study.blog_dataset()
    assert again.donations_csv() == study.donations_csv()
    assert build_case_study(seed=7).donations_csv() != study.donations_csv()


def test_446_sharing_tweets_and_92_donors_who_gave_4352(study):
    shares = sharing_tweets(study)
    assert len(shares) == len({t["id"] for t in shares}) == 446
    assert len(study.donations) == 92
    assert sum(float(d["amount"]) for d in study.donations) == 4352
    assert {d["campaign"] for d in study.donations} == {APPEAL_URL}


def test_two_heavyweights_tweet_it_heavily_and_dominate_exposure(study):
    count = followers(study)
    shares = sharing_tweets(study)
    heavy = sorted({t["author_id"] for t in shares if count[t["author_id"]] >= HEAVYWEIGHT}, key=count.get)
    assert [p.x_id for p in sorted(study.cast["heavyweights"], key=lambda p: p.followers)] == heavy
    assert 100_000 < count[heavy[0]] <= 500_000 < count[heavy[1]]
    for user_id in heavy:  # several original link tweets each, not one
        originals = [t for t in shares if t["author_id"] == user_id and not t.get("referenced_tweets")]
        assert len(originals) >= 3
    exposure = exposure_by_class(study)
    heavy_reach = sum(count[u] for u in heavy)
    assert exposure["heavyweight"] > 3_000_000 > heavy_reach  # the repeats make the 3 million
    assert exposure["heavyweight"] > 3 * exposure["regular"]  # regular accounts are modest
    assert max(count[t["author_id"]] for t in shares if t["author_id"] not in heavy) < HEAVYWEIGHT


def test_one_donor_came_only_through_a_heavyweight(study):
    count = followers(study)
    heavy_touched = []
    for d in study.donations:
        user_id, email = donor_identities(study, d)
        found = touches(study, user_id, email)
        if any(t.author_id and count[t.author_id] >= HEAVYWEIGHT for t in found):
            heavy_touched.append((d, user_id, found))
    assert len(heavy_touched) == 1
    donation, user_id, found = heavy_touched[0]
    eve = study.cast["heavyweight_only"][0]
    assert user_id == eve.x_id and donation["x_handle"] == eve.handle
    # her only contact with the campaign: a like and a reply on a heavyweight's sharing tweet
    assert {t.kind for t in found} == {"like", "reply"}
    assert all(count[t.author_id] >= HEAVYWEIGHT for t in found)
    assert [t for t in study.x_tweets if t["author_id"] == user_id] == [
        t for t in study.x_tweets if t["author_id"] == user_id and t["text"].startswith("@famousauthor")
    ]
    assert last_touch(study, donation).author_id in {p.x_id for p in study.cast["heavyweights"]}


def test_who_came_through_a_channel_gave_within_the_lookback(study):
    count = followers(study)
    credited = defaultdict(int)
    for d in study.donations:
        found = [t for t in touches(study, *donor_identities(study, d)) if t.at <= when(d["occurred_at"])]
        touch = last_touch(study, d)
        assert (touch is None) == (not found)  # a donor with a touch gave within 7 days of the last
        heavy = touch is not None and touch.author_id is not None and count[touch.author_id] >= HEAVYWEIGHT
        credited["heavyweight" if heavy else "community"] += 1
    assert credited == {"heavyweight": 1, "community": 91}
    exposure = exposure_by_class(study)
    # the story's point: a heavyweight's conversion cost orders of magnitude more exposure
    assert (
        exposure["heavyweight"] / credited["heavyweight"] > 100 * exposure["regular"] / credited["community"]
    )
    reader_emails = {p.email for p in study.cast["reader_donors"]}
    assert all(last_touch(study, d) is None for d in study.donations if d["email"] in reader_emails)
    assert sum(last_touch(study, d) is not None for d in study.donations) >= 62


def owner_interactions(study, user_id: str | None, email: str | None) -> list[tuple[datetime, str, str]]:
    """(when, direction, channel) of everything between a person and Mark, either way."""
    owner = study.cast["owner"][0]
    by_id = {t["id"]: t for t in study.x_tweets}
    comments = {c["id"]: c for c in study.blog_comments}
    out = []
    for t in study.x_tweets if user_id else ():
        refs = {r["type"]: by_id.get(r["id"]) for r in t.get("referenced_tweets", [])}
        mentioned = {m["username"] for m in t.get("entities", {}).get("mentions", [])}
        if t["author_id"] == user_id and (
            owner.handle in mentioned or any(r and r["author_id"] == owner.x_id for r in refs.values())
        ):
            out.append((when(t["created_at"]), "in", "x"))
        if t["author_id"] == owner.x_id and any(r and r["author_id"] == user_id for r in refs.values()):
            out.append((when(t["created_at"]), "out", "x"))
        if t["author_id"] == owner.x_id and user_id in t.get("liking_user_ids", []):
            out.append((when(t["created_at"]), "in", "x"))
    for c in study.blog_comments if email else ():
        if c["author_email"].lower() == email and not c["is_post_author"]:
            out.append((c["published"], "in", "blog"))
        parent = comments.get(c["parent"])
        if c["is_post_author"] and parent and parent["author_email"].lower() == email:
            out.append((c["published"], "out", "blog"))
    return sorted(out)


def test_62_donors_are_strong_ties_and_30_are_weak_or_none(study):
    """Strong: years of reciprocal, repeated interaction with Mark, mostly on both channels.
    The other 30 donors never heard from Mark and touched him a few times at most."""
    strong, rest = [], []
    for d in study.donations:
        found = owner_interactions(study, *donor_identities(study, d))
        years = (found[-1][0] - found[0][0]) / timedelta(days=365) if found else 0
        directions = {direction for _, direction, _ in found}
        if years >= 2 and directions == {"in", "out"} and len(found) >= 10:
            strong.append((d, found))
        else:
            assert "out" not in directions and len(found) <= 3, d["name"]
            rest.append(d)
    assert len(strong) == 62 and len(rest) == 30
    assert {d["name"] for d, _ in strong} == {p.name for p in study.cast["regulars"]}
    on_both = [d for d, found in strong if {channel for _, _, channel in found} == {"x", "blog"}]
    assert len(on_both) > 0.75 * len(strong)
    closing = max(when(t["created_at"]) for t in study.x_tweets)
    assert all(closing - found[-1][0] < LOOKBACK * 3 for _, found in strong)  # still around lately


def test_likes_and_retweets_come_from_regular_amplifiers_too(study):
    count = followers(study)
    shares = {t["id"]: t for t in sharing_tweets(study)}
    regulars_on_x = {p.x_id for p in study.cast["regulars"] if p.x_id}
    liked_by = defaultdict(set)  # liker class -> liked authors' classes
    for t in shares.values():
        author = "heavyweight" if count[t["author_id"]] >= HEAVYWEIGHT else "regular"
        for liker in t.get("liking_user_ids", []):
            liked_by["regular" if liker in regulars_on_x else "other"].add(author)
    assert liked_by["regular"] == {"regular"} and "heavyweight" in liked_by["other"]
    retweeters = {
        t["author_id"]
        for t in shares.values()
        if any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
    }
    assert retweeters & regulars_on_x


def test_the_closing_thank_you_is_the_last_event(study):
    """Whichever data the reference time is derived from, no donation or touch falls after it."""
    owner = study.cast["owner"][0]
    last = max(study.x_tweets, key=lambda t: int(t["id"]))
    assert last["author_id"] == owner.x_id and last["id"] in {t["id"] for t in sharing_tweets(study)}
    at = when(last["created_at"])
    assert all(when(t["created_at"]) <= at for t in study.x_tweets)
    assert all(c["published"] < at for c in study.blog_comments)
    assert all(when(d["occurred_at"]) < at for d in study.donations)


def test_the_demo_table_reads_exposure_reach_and_credit_from_the_marts_that_have_them():
    """With issue 11's columns the table takes them as they are (here a hand-made warehouse)."""
    import duckdb

    from tiemeter.demo.run import campaign_numbers

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.campaign_summary AS SELECT 'door' AS campaign, 'https://x.example/' AS url, "
        "10 AS sharing_tweets, 4 AS amplifiers, 1 AS heavyweight_amplifiers, 5000 AS potential_impressions, "
        "2100 AS potential_reach, 3000 AS heavyweight_potential_impressions, 1000 AS heavyweight_potential_reach, "
        "6 AS conversions, 120.0 AS conversion_amount, 1 AS conversions_via_heavyweights"
    )
    con.execute(
        "CREATE TABLE marts.conversion_attribution AS SELECT * FROM (VALUES "
        "('door', 'c1', 'heavyweight'), ('door', 'c2', 'heavyweight'), ('door', 'c3', 'regular'), "
        "('door', 'c4', NULL), ('other', 'c5', 'heavyweight')) t(campaign, conversion_id, amplifier_class)"
    )
    con.execute(
        "CREATE TABLE marts.campaign_conversions_by_tie AS SELECT * FROM (VALUES ('door', 'strong', 4, 80.0), "
        "('door', 'weak', 1, 20.0), ('door', 'none', 1, 20.0)) t(campaign, tie_class, conversions, amount)"
    )
    n = campaign_numbers(con)
    assert (n["impressions"], n["reach"], n["heavy_impressions"], n["heavy_reach"]) == (
        5000,
        2100,
        3000,
        1000,
    )
    assert n["heavy_credited"] == 2 and n["community_credited"] == 6 - 2  # credit, not the only-path count
    assert n["community_impressions"] == 5000 - 3000
    assert n["ties"] == [("strong", 4, 80.0), ("weak", 1, 20.0), ("none", 1, 20.0)]
