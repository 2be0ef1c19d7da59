"""Kred-style influence and outreach (issue 11, item 9), side by side with the spread score. Every
expected number is computed here from the interactions the test itself writes, with the rules of
docs/metrics.md (Kred's published scoring)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from scenario import XScenario
from transform_helpers import build_scenario, rows

# -- Kred ------------------------------------------------------------------------------------

MARK, BIG, ANN, BEN, CAT = "1", "2", "3", "4", "5"
FOLLOWERS = {MARK: 1_000, BIG: 50_000, ANN: 100, BEN: 200, CAT: 10_000}  # CAT: exactly 10k is not "more than"
# Follows from an X archive are dated by when they were imported (now), so this scenario lives near now.
KRED_AS_OF = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
WINDOW_DAYS = 90
KRED_KINDS = {"retweet", "quote", "reply", "mention", "follow"}


def kred_scenario() -> tuple[XScenario, list[tuple[str, str, str, datetime]], list[tuple[str, str]]]:
    """The scenario, the interactions it contains as (kind, actor, target, at), and its follow edges."""
    s = XScenario(retrieved_at=KRED_AS_OF - timedelta(hours=1))
    for user, followers in FOLLOWERS.items():
        s.user(user, {MARK: "mark", BIG: "big", ANN: "ann", BEN: "ben", CAT: "cat"}[user], followers)
    acts: list[tuple[str, str, str, datetime]] = []

    def at(days: float) -> datetime:
        return KRED_AS_OF - timedelta(days=days)

    s.tweet("100", MARK, at(20), "a post")
    s.tweet("200", BIG, at(20), "a big post")
    s.tweet("301", ANN, at(120), "long ago", reply_to="100")  # outside the 90-day window
    acts.append(("reply", ANN, MARK, at(120)))
    s.tweet("302", ANN, at(10), "yes", reply_to="100")
    acts.append(("reply", ANN, MARK, at(10)))
    s.tweet("401", BIG, at(9), retweet="100")
    acts.append(("retweet", BIG, MARK, at(9)))
    s.tweet("501", BEN, at(8), "look", quote="100")
    acts.append(("quote", BEN, MARK, at(8)))
    s.tweet("303", ANN, at(7), "hi @mark", mentions=(MARK,))
    acts.append(("mention", ANN, MARK, at(7)))
    s.tweet("601", CAT, at(6), "hey @mark", mentions=(MARK,))
    acts.append(("mention", CAT, MARK, at(6)))
    s.tweet("402", BIG, at(5), "agreed", reply_to="100")
    acts.append(("reply", BIG, MARK, at(5)))
    s.like("100", CAT)  # a like is no Kred action
    acts.append(("like", CAT, MARK, at(20)))
    # Mark gives
    s.tweet("101", MARK, at(4), "thanks", reply_to="302")
    acts.append(("reply", MARK, ANN, at(4)))
    s.tweet("102", MARK, at(3), retweet="200")
    acts.append(("retweet", MARK, BIG, at(3)))
    s.tweet("103", MARK, at(2), "meet @ben", mentions=(BEN,))
    acts.append(("mention", MARK, BEN, at(2)))
    for i in range(30):  # long before the window: only the cumulative outreach sees them
        s.tweet(str(1000 + i), MARK, at(150 + i), f"old note {i} @cat", mentions=(CAT,))
        acts.append(("mention", MARK, CAT, at(150 + i)))
    # BIG is the most influential person of the window: 15 mentions by BEN
    for i in range(15):
        s.tweet(str(2000 + i), BEN, at(1 + i / 24), f"@big {i}", mentions=(BIG,))
        acts.append(("mention", BEN, BIG, at(1 + i / 24)))
    follows = [(BIG, MARK), (CAT, MARK), (MARK, ANN)]  # (follower, followed), from Mark's archive
    return s, acts, follows


def write_archive(folder, owner: str, follows: list[tuple[str, str]]):
    data = folder / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(
        "window.YTD.account.part0 = " + json.dumps([{"account": {"accountId": owner, "username": "mark"}}])
    )
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = []")
    followers = [{"follower": {"accountId": a}} for a, b in follows if b == owner]
    following = [{"following": {"accountId": b}} for a, b in follows if a == owner]
    (data / "follower.js").write_text("window.YTD.follower.part0 = " + json.dumps(followers))
    (data / "following.js").write_text("window.YTD.following.part0 = " + json.dumps(following))
    return folder


@pytest.fixture(scope="module")
def kred_home(tmp_path_factory):
    from support import run_cli

    from tiemeter.settings import Home

    base = tmp_path_factory.mktemp("kred")
    home = Home.resolve(base / "home").ensure()
    s, _, follows = kred_scenario()
    assert run_cli(home, "import", "twarc", "--no-load", str(s.write(base / "pages.jsonl"))).code == 0
    result = run_cli(
        home, "import", "x-archive", "--no-load", str(write_archive(base / "archive", MARK, follows))
    )
    assert result.code == 0, result
    config = {
        "accounts": [{"name": "Mark", "x_username": "mark"}],
        "metrics": {"as_of": KRED_AS_OF.isoformat(), "window_days": WINDOW_DAYS},
    }
    build_scenario(home, config)
    return home


def outreach_level(points: int) -> int:
    """Kred: level 1 at 100 points, level 2 at 270 (170 more), each step 1.7 times the one before."""
    level, threshold, step = 0, 100.0, 100.0
    while points >= threshold - 1e-9:
        level += 1
        step *= 1.7
        threshold += step
    return level


def expected_kred() -> dict:
    _, acts, follows = kred_scenario()
    now = datetime.now(UTC)  # the archive import dated the follows: any time in the window is the same here
    events = [(kind, a, b, at) for kind, a, b, at in acts if kind in KRED_KINDS]
    events += [("follow", a, b, now) for a, b in follows]
    start = KRED_AS_OF - timedelta(days=WINDOW_DAYS)
    in_window = [e for e in events if start < e[3] <= KRED_AS_OF]

    def points(actor: str) -> int:
        return 20 if FOLLOWERS[actor] > 10_000 else 10

    received: dict[str, int] = {}
    for _, actor, target, _ in in_window:
        received[target] = received.get(target, 0) + points(actor)
    top = max(received.values())
    influence = {p: 1 + math.floor(999 * math.log1p(v) / math.log1p(top) + 0.5) for p, v in received.items()}
    mine_in = [e for e in in_window if e[2] == MARK]
    given = [e for e in in_window if e[1] == MARK]
    total = 10 * sum(1 for e in events if e[1] == MARK and e[3] <= KRED_AS_OF)

    def kinds(es, *names):
        return sum(1 for e in es if e[0] in names)

    return {
        "retweets_received": kinds(mine_in, "retweet", "quote"),
        "replies_received": kinds(mine_in, "reply"),
        "mentions_received": kinds(mine_in, "mention"),
        "follows_received": kinds(mine_in, "follow"),
        "influence_points": received.get(MARK, 0),
        "influence": influence.get(MARK, 1),
        "retweets_given": kinds(given, "retweet", "quote"),
        "replies_given": kinds(given, "reply"),
        "mentions_given": kinds(given, "mention"),
        "follows_given": kinds(given, "follow"),
        "outreach_points": 10 * len(given),
        "outreach_points_total": total,
        "outreach_level": outreach_level(total),
    }


def test_kred_influence_and_outreach_follow_the_published_rules(kred_home):
    expected = expected_kred()
    columns = list(expected)
    got = rows(
        kred_home,
        f"SELECT {', '.join(columns)} FROM marts.kred_scores WHERE window_end = ?::TIMESTAMPTZ",
        [KRED_AS_OF.isoformat()],
    )
    assert [dict(zip(columns, r, strict=True)) for r in got] == [expected]
    # the numbers the rules give here, so that a wrong rule cannot pass by accident
    assert expected["influence_points"] == 10 + 20 + 10 + 10 + 10 + 20 + 20 + 10  # BIG's actions count 20
    assert 1 < expected["influence"] < 1000  # BIG, mentioned 15 times, holds the window's 1,000
    assert expected["outreach_level"] == 2  # 340 points: 270 <= 340 < 559


def test_kred_has_one_row_per_account_and_spread_window(kred_home):
    kred = rows(kred_home, "SELECT person_id, window_end FROM marts.kred_scores ORDER BY ALL")
    spread = rows(kred_home, "SELECT person_id, window_end FROM marts.spread_scores ORDER BY ALL")
    assert kred == spread and len(kred) == len({r[1] for r in kred})  # one account, each window once


def test_kred_checks_pass(kred_home):
    from transform_helpers import failed_checks

    assert failed_checks(kred_home) == []
