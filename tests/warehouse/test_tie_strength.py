"""Tie strength with configurable weights and a frequency term, and Dunbar ranks (issue 11, item 9).
Every expected number is computed here from the interactions the test itself writes, with the
formulas of docs/metrics.md."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

import pytest
from scenario import T0, XScenario
from support import REPO
from transform_helpers import build_scenario, rows

# -- tie strength, frequency and Dunbar ------------------------------------------------------

ACCOUNT, DAILY, TWICE = "1", "2", "3"
TIE_AS_OF = T0 + timedelta(days=200)
DUNBAR_PEOPLE = [str(1000 + k) for k in range(160)]


def documented_tie_weights() -> dict[str, float]:
    """The default weights as docs/metrics.md's table of tie strength terms gives them (the spec)."""
    text = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    table = text.split("| term `t` |", 1)[1].split("\n\n", 1)[0]
    return {m[1]: float(m[2]) for m in re.finditer(r"^\| `(\w+)` \|.*\| ([0-9.]+) \|$", table, re.M)}


DEFAULT_TIE_WEIGHTS = documented_tie_weights()
assert len(DEFAULT_TIE_WEIGHTS) == 7 and DEFAULT_TIE_WEIGHTS["intensity"] == 0.30


def tie_scenario() -> tuple[XScenario, list[tuple[str, str, datetime]]]:
    """Mark; DAILY mentions him on 12 consecutive days, TWICE 12 times, every 15 days; 160 more people
    mention him once each, two on each day going back from the day before the reference time."""
    s = XScenario(retrieved_at=TIE_AS_OF)
    s.user(ACCOUNT, "mark", 1_000)
    s.user(DAILY, "daily", 100)
    s.user(TWICE, "twice", 100)
    mentions: list[tuple[str, str, datetime]] = []  # (tweet id, actor, at)
    last = TIE_AS_OF - timedelta(days=1, hours=2)
    for i in range(12):
        mentions.append((str(100 + i), DAILY, last - timedelta(days=i)))
        mentions.append((str(200 + i), TWICE, last - timedelta(days=15 * i)))
    for k, person in enumerate(DUNBAR_PEOPLE):
        s.user(person, f"p{person}", 50)
        mentions.append((str(10_000 + k), person, last - timedelta(days=k // 2)))
    for tweet_id, actor, at in sorted(mentions, key=lambda m: m[2]):
        s.tweet(tweet_id, actor, at, "hello @mark", mentions=(ACCOUNT,))
    return s, mentions


def tie(times: list[datetime], weights: dict[str, float], per_interaction: float = 1.0) -> float:
    """docs/metrics.md: the weighted mean of the seven terms, for one-way interactions (reciprocity 0)
    on one channel, at ``times``."""
    days = sorted({t.date() for t in times})
    span = (days[-1] - days[0]).days + 1
    terms = {
        "intensity": 1 - math.exp(-per_interaction * len(times) / 10),
        "recency": math.exp(-max((TIE_AS_OF.date() - days[-1]).days, 0) / 180),
        "reciprocity": 0.0,
        "active_days": 1 - math.exp(-len(days) / 5),
        "duration": min(1, (days[-1] - days[0]).days / 365),
        "channels": 0.0,
        "frequency": len(days) / max(span, 7),
    }
    return sum(weights[k] * terms[k] for k in terms) / sum(weights.values())


def tie_config(metrics: dict | None = None) -> dict:
    return {
        "accounts": [{"name": "Mark", "x_username": "mark"}],
        "metrics": {"as_of": TIE_AS_OF.isoformat(), **(metrics or {})},
    }


def build_ties(tmp_path_factory, name: str, metrics: dict | None = None):
    from support import run_cli

    from tiemeter.settings import Home

    base = tmp_path_factory.mktemp(name)
    home = Home.resolve(base / "home").ensure()
    s, _ = tie_scenario()
    assert run_cli(home, "import", "twarc", "--no-load", str(s.write(base / "pages.jsonl"))).code == 0
    build_scenario(home, tie_config(metrics))
    return home


@pytest.fixture(scope="module")
def ties_home(tmp_path_factory):
    return build_ties(tmp_path_factory, "ties")


def ties_by_user(home) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in rows(
            home,
            "SELECT replace(person_id, 'x:', ''), tie_strength, days_per_week, weighted_interactions, "
            "dunbar_rank, within_dunbar, person_id FROM marts.tie_strength",
        )
    }


def times_of(actor: str) -> list[datetime]:
    _, mentions = tie_scenario()
    return [at for _, a, at in mentions if a == actor]


def test_daily_talkers_outrank_twice_a_month_talkers(ties_home):
    got = ties_by_user(ties_home)
    daily, twice = times_of(DAILY), times_of(TWICE)
    assert got[DAILY][0] == pytest.approx(tie(daily, DEFAULT_TIE_WEIGHTS))
    assert got[TWICE][0] == pytest.approx(tie(twice, DEFAULT_TIE_WEIGHTS))
    # days per week over the span: 12 days in 12 -> 7; 12 days over 166 -> 12 * 7 / 166
    daily_days = {t.date() for t in daily}
    twice_days = sorted({t.date() for t in twice})
    assert got[DAILY][1] == pytest.approx(7 * len(daily_days) / max(len(daily_days), 7))
    assert got[TWICE][1] == pytest.approx(7 * len(twice_days) / ((twice_days[-1] - twice_days[0]).days + 1))
    assert got[DAILY][0] > got[TWICE][0]


def test_without_the_frequency_term_the_longer_relationship_wins(tmp_path_factory):
    """Same interactions, frequency weight 0 and mentions weighing 0.5: duration now decides, and the
    weights reach the model through the config."""
    home = build_ties(
        tmp_path_factory,
        "ties_nofreq",
        {"tie_weights": {"frequency": 0}, "tie_interaction_weights": {"mention": 0.5}},
    )
    weights = {**DEFAULT_TIE_WEIGHTS, "frequency": 0.0}
    got = ties_by_user(home)
    daily, twice = times_of(DAILY), times_of(TWICE)
    assert got[DAILY][2] == 0.5 * len(daily)
    assert got[DAILY][0] == pytest.approx(tie(daily, weights, per_interaction=0.5))
    assert got[TWICE][0] == pytest.approx(tie(twice, weights, per_interaction=0.5))
    assert got[TWICE][0] > got[DAILY][0]


def test_only_150_ties_are_within_dunbar(ties_home):
    got = ties_by_user(ties_home)
    people = [DAILY, TWICE, *DUNBAR_PEOPLE]
    strength = {p: tie(times_of(p), DEFAULT_TIE_WEIGHTS) for p in people}
    assert set(got) == set(people)
    # strongest first; equal strengths (two people on each day) in person_id order
    order = sorted(people, key=lambda p: (-round(strength[p], 12), got[p][5]))
    assert {p: got[p][3] for p in people} == {p: rank for rank, p in enumerate(order, start=1)}
    within = {p for p in people if got[p][4]}
    assert len(people) == 162 and within == set(order[:150])


def test_tie_weights_are_validated():
    from tiemeter.config import ConfigError, parse_config

    def metrics(**table):
        return parse_config({"metrics": table}).metrics

    assert metrics().tie_weights == DEFAULT_TIE_WEIGHTS
    assert metrics(tie_weights={"frequency": 0.4}).tie_weights == {**DEFAULT_TIE_WEIGHTS, "frequency": 0.4}
    shares = metrics(tie_interaction_weights={"link_share": 2}).tie_interaction_weights
    assert shares["link_share"] == 2.0 and shares["retweet"] == 1.0
    bad = [
        ({"tie_weights": {"freqency": 0.1}}, r"metrics\.tie_weights\.freqency: unknown term"),
        ({"tie_weights": {"recency": -1}}, r"metrics\.tie_weights\.recency: expected a weight >= 0"),
        ({"tie_weights": {"recency": "high"}}, r"metrics\.tie_weights\.recency: expected a weight"),
        ({"tie_weights": {"recency": True}}, r"metrics\.tie_weights\.recency: expected a weight"),
        ({"tie_weights": dict.fromkeys(DEFAULT_TIE_WEIGHTS, 0)}, r"metrics\.tie_weights: at least one"),
        ({"tie_weights": 0.3}, r"metrics\.tie_weights: expected dict"),
        ({"tie_interaction_weights": {"pingback": 1}}, r"tie_interaction_weights\.pingback: unknown"),
    ]
    for table, message in bad:
        with pytest.raises(ConfigError, match=message):
            metrics(**table)
