"""``tiemeter report``: four charts, each with its table beneath, in one offline HTML file."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import duckdb

from reports import svg
from tiemeter.settings import Home
from warehouse.connection import warehouse

CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 960px; color: #222; }
h1 { margin-bottom: .2rem; } .lede { color: #555; margin-top: 0; }
figure.chart { margin: 2.5rem 0; } figcaption { font-weight: 600; margin-bottom: .5rem; }
table { border-collapse: collapse; font-size: .85rem; margin-top: .6rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.legend { font-size: .8rem; margin: .3rem 0; } .key { margin-right: 1rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: middle; }
.note { color: #666; font-size: .8rem; }
"""


def _table(headers: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _figure(number: int, caption: str, chart: str, table: str, note: str = "") -> str:
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    return f'<figure class="chart" id="chart-{number}"><figcaption>{number}. {escape(caption)}</figcaption>{chart}{note_html}{table}</figure>'


def reach_vs_engagement(con) -> str:
    rows = con.execute(
        """
        SELECT p.post_id, p.channel, coalesce(pe.display_name, p.author_person_id) AS author, p.posted_at,
               p.potential_impressions, p.engagements, p.engagement_rate_impressions
        FROM marts.post_reach_engagement p LEFT JOIN core.persons pe ON pe.person_id = p.author_person_id
        ORDER BY p.potential_impressions DESC, p.post_id
        """
    ).fetchall()
    points = [
        (r[4], r[5] + 1, r[1], f"{r[2]} {r[0]}: {r[4]:,} potential impressions, {r[5]:,} engagements")
        for r in rows
    ]
    chart = svg.legend(["x", "blog"]) + svg.scatter(
        points,
        "potential impressions (log)",
        "engagements + 1 (log)",
        x_log=True,
        y_log=True,
        title="reach vs engagement",
    )
    table = _table(
        ["post", "channel", "author", "posted", "potential impressions", "engagements", "rate"], rows[:15]
    )
    return _figure(
        1,
        "Reach versus engagement per post (log-log)",
        chart,
        table,
        f"{len(rows):,} posts; the 15 with the widest reach below.",
    )


def spread_vs_ties(con) -> str:
    rows = con.execute(
        """
        SELECT coalesce(account_name, person_id), followers, spread_score, strong_ties, friends, strong_tie_engagement_share
        FROM marts.influence_vs_relationships ORDER BY spread_score DESC NULLS LAST, 1
        """
    ).fetchall()
    points = [(r[3], r[2] or 1, "strong", f"{r[0]}: spread {r[2]}, {r[3]} strong ties") for r in rows]
    chart = svg.scatter(points, "strong ties", "spread score (1-100)", title="spread score vs strong ties")
    table = _table(
        ["account", "followers", "spread score", "strong ties", "friends", "engagement from strong ties"],
        rows[:25],
    )
    return _figure(2, "Spread score versus strong ties per account", chart, table)


def campaign_funnel(con) -> str:
    campaigns = con.execute(
        "SELECT campaign, potential_impressions, heavyweight_potential_impressions, engagements, conversions, "
        "conversions_via_heavyweights FROM marts.campaign_summary ORDER BY campaign"
    ).fetchall()
    engaged = dict(
        con.execute(
            """
            SELECT a.size_class, count(*) FROM marts.campaign_sharing_tweets s
            JOIN marts.campaign_amplifiers a ON a.campaign = s.campaign AND a.user_id = s.author_id
            JOIN core.interactions i ON i.post_id = s.tweet_id AND i.kind IN ('reply', 'retweet', 'quote', 'like')
            GROUP BY 1
            """
        ).fetchall()
    )
    by_tie = dict(
        con.execute(
            "SELECT tie_class, sum(conversions) FROM marts.campaign_conversions_by_tie GROUP BY 1"
        ).fetchall()
    )
    potential = sum(c[1] for c in campaigns)
    heavy = sum(c[2] for c in campaigns)
    conversions_heavy = sum(c[5] for c in campaigns)
    groups = [
        ("potential impressions", [("heavyweight", heavy), ("regular", potential - heavy)]),
        (
            "engagements",
            [("heavyweight", engaged.get("heavyweight", 0)), ("regular", engaged.get("regular", 0))],
        ),
        (
            "conversions by amplifier",
            [
                ("heavyweight", conversions_heavy),
                ("regular", sum(c[4] for c in campaigns) - conversions_heavy),
            ],
        ),
        ("conversions by tie", [(k, by_tie.get(k, 0)) for k in ("strong", "weak", "none")]),
    ]
    chart = svg.legend(["heavyweight", "regular", "strong", "weak", "none"]) + svg.bars(
        groups, "count (log)", y_log=True, title="campaign funnel"
    )
    table = _table(
        [
            "campaign",
            "potential impressions",
            "of which heavyweights",
            "engagements",
            "conversions",
            "only via heavyweights",
        ],
        campaigns,
    )
    note = "Conversions by amplifier: 'heavyweight' counts donors whose only path was a heavyweight's tweet."
    return _figure(3, "Campaign funnel: potential impressions, engagements, conversions", chart, table, note)


def tie_distribution(con) -> str:
    bins = con.execute(
        """
        SELECT least(floor(tie_strength * 20), 19) / 20 AS bin, tie_class, count(*)
        FROM marts.tie_strength GROUP BY ALL ORDER BY 1, 2
        """
    ).fetchall()
    counts: dict[float, dict[str, int]] = {}
    for b, cls, n in bins:
        counts.setdefault(b, {})[cls] = n
    groups = [
        (
            f"{b:.2f}",
            [(cls, counts[b].get(cls, 0)) for cls in ("strong", "weak", "none") if counts[b].get(cls)],
        )
        for b in sorted(counts)
    ]
    friends = con.execute(
        "SELECT coalesce(account_name, person_id), followers, friends, friends_per_follower, strong_ties, weak_ties "
        "FROM marts.influence_vs_relationships ORDER BY followers DESC NULLS LAST, 1"
    ).fetchall()
    total_friends = sum(r[2] for r in friends)
    total_followers = sum(r[1] or 0 for r in friends)
    chart = (
        svg.legend(["strong", "weak", "none"])
        + svg.bars(groups, "people", title="tie strength distribution")
        + svg.legend(["followers", "friends"])
        + svg.bars(
            [("all accounts", [("followers", total_followers), ("friends", total_friends)])],
            "people (log)",
            y_log=True,
            title="friends vs followers",
        )
    )
    table = _table(
        ["account", "followers", "friends", "friends per follower", "strong ties", "weak ties"], friends[:25]
    )
    return _figure(4, "Tie-strength distribution, and friends versus followers", chart, table)


def render(con: duckdb.DuckDBPyConnection) -> str:
    as_of = con.execute("SELECT as_of FROM marts.analysis_window").fetchone()
    sections = [reach_vs_engagement(con), spread_vs_ties(con), campaign_funnel(con), tie_distribution(con)]
    stamp = f"reference time {as_of[0]:%Y-%m-%d %H:%M} UTC" if as_of else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>tiemeter report</title>'
        f"<style>{CSS}</style></head><body><h1>Audience or influence?</h1>"
        f'<p class="lede">Reach, spread and strong ties; {escape(stamp)}; generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC '
        "by tiemeter. Definitions: docs/metrics.md.</p>" + "".join(sections) + "</body></html>\n"
    )


def write_report(home: Home, out: Path | None = None) -> Path:
    out = Path(out or home.exports / "report.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    with warehouse(home, read_only=True) as con:
        html = render(con)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)
    return out
