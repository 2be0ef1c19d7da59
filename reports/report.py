"""``tiemeter report``: one offline HTML file of Vega-Lite charts (through altair), each with its table.

Every query the report runs is in ``QUERIES`` below, so a mart change is adjusted in one place. The
Vega, Vega-Lite and vega-embed JavaScript is inlined (from vl-convert's bundle): the file opens offline.
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from tiemeter.settings import Home
from tiemeter.warehouse.connection import warehouse

if TYPE_CHECKING:
    import altair as alt

# shipped beside this module (package data), so the link works from an installed wheel too; in the
# checkout reports/metrics.md links to docs/metrics.md, which resolve() follows
METRICS_DOC = Path(__file__).resolve().with_name("metrics.md").resolve()
TIE_CLASSES = ("strong", "weak", "none")
TIE_COLOURS = ("#c0392b", "#e6a23c", "#9aa5b1")
HISTOGRAM_BINS = 20
TEXT_WIDTH = 80
URL = re.compile(r"https?://\S+")

# All the report reads from the warehouse. Each returns rows of named columns (see _rows).
QUERIES = {
    "as_of": "SELECT as_of, strong_tie_threshold, weak_tie_threshold FROM marts.analysis_window",
    "posts": """
        SELECT p.post_id, p.channel, coalesce(pe.display_name, p.author_person_id) AS author, p.posted_at,
               p.url, coalesce(t.text, b.title) AS text, p.potential_impressions, p.engagements,
               p.engagement_rate_impressions AS rate, p.engagement_rate_followers AS rate_followers,
               p.conversions
        FROM marts.post_reach_engagement p
        LEFT JOIN core.persons pe ON pe.person_id = p.author_person_id
        LEFT JOIN core.tweets t ON p.channel = 'x' AND t.tweet_id = p.post_id
        LEFT JOIN core.blog_posts b ON p.channel = 'blog' AND b.post_id = p.post_id
        ORDER BY p.potential_impressions DESC, p.post_id
    """,
    "campaigns": """
        SELECT campaign, owner, url, sharing_tweets, amplifiers, potential_impressions, engagers, engagements,
               conversions, conversion_amount, conversions_per_million_impressions
        FROM marts.campaign_summary ORDER BY campaign
    """,
    # the campaign over time: one row per (campaign, measure, time) with the time of each event
    "campaign_events": """
        SELECT campaign, 'shares' AS measure, created_at AS at, 1 AS value FROM marts.campaign_sharing_tweets
        UNION ALL
        SELECT campaign, 'exposure', shared_at, followers
        FROM marts.campaign_shares
        UNION ALL
        SELECT s.campaign, 'engagements', i.occurred_at, 1 FROM marts.campaign_sharing_tweets s
        JOIN core.interactions i ON i.post_id = s.tweet_id AND i.kind IN ('reply', 'retweet', 'quote', 'like')
        UNION ALL
        SELECT campaign, 'conversions', occurred_at, 1 FROM marts.campaign_conversions
    """,
    # the owner: the first campaign's owner, else the account with the highest spread score
    "owner": """
        SELECT person_id, coalesce(account_name, person_id) FROM marts.influence_vs_relationships
        ORDER BY account_name IS NOT DISTINCT FROM (SELECT min(owner) FROM marts.campaign_summary) DESC,
                 spread_score DESC NULLS LAST, person_id
        LIMIT 1
    """,
    "ties": """
        SELECT person_id, coalesce(display_name, person_id) AS name, tie_class, tie_strength,
               interactions_out + interactions_in AS interactions, dunbar_rank
        FROM marts.tie_strength WHERE account_person_id = ? ORDER BY dunbar_rank
    """,
    "accounts": """
        SELECT person_id, coalesce(account_name, person_id) AS account, followers, potential_reach, spread_score,
               strong_ties, weak_ties, friends, dunbar_share, strong_tie_engagement_share
        FROM marts.influence_vs_relationships ORDER BY spread_score DESC NULLS LAST, account
    """,
    "tie_strengths": "SELECT tie_strength, tie_class FROM marts.tie_strength",
}

DEFINITIONS = [
    (
        "Potential impressions",
        "Reach and engagement",
        "Exposure: the sum, over the post and each retweet and quote of it, of its author's followers at "
        "the time (two tweets by a 500k account count 1M): how often it could have been seen, not how "
        "often it was. Potential reach counts each account once.",
    ),
    (
        "Engagement rate",
        "Reach and engagement",
        "Engagements (replies, retweets, quotes, likes, comments) divided by impressions, or by potential "
        "impressions where X reports none.",
    ),
    (
        "Spread score",
        "Spread score",
        "1-100, Klout-style: true reach (distinct people who engaged), amplification (reactions per post) and "
        "network impact (PageRank in the engagement graph), each log-scaled against the largest in the "
        "window, weighted and mapped to 1 + 99 x the mean.",
    ),
    (
        "Tie strength",
        "Real relationships",
        "0-1, after Gilbert and Karahalios (2009): a weighted mean of intensity, recency, reciprocity, active "
        "days, duration, channels and frequency of the interactions between two people.",
    ),
    (
        "Strong / weak / none",
        "Real relationships",
        "A tie is strong from the strong-tie threshold up, weak from the weak-tie threshold up, else none.",
    ),
    (
        "Friends",
        "Real relationships",
        "People the account directed at least two interactions at (Huberman, Romero and Wu 2008).",
    ),
    (
        "Dunbar share",
        "Influence versus relationships",
        "Strong ties / 150, Dunbar's number of stable relationships.",
    ),
]

CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #222; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } .lede { color: #555; margin-top: 0; }
figure.chart { margin: 2.5rem 0; } figcaption { font-weight: 600; font-size: 1.1rem; margin-bottom: .5rem; }
table { border-collapse: collapse; font-size: .85rem; margin-top: .6rem; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: right; vertical-align: top; }
th.text, td.text { text-align: left; } td.num, td.date { white-space: nowrap; } th.date, td.date { text-align: left; }
.note { color: #666; font-size: .85rem; } a { color: #1f5fa8; }
dl.definitions dt { font-weight: 600; margin-top: .6rem; } dl.definitions dd { margin-left: 1rem; }
"""


def _rows(con, name: str, params=()) -> list[dict]:
    cursor = con.execute(QUERIES[name], list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def shorten(text: str | None, width: int = TEXT_WIDTH) -> str:
    """One line of at most ``width`` characters, links left out (the post is linked), an ellipsis when cut."""
    flat = " ".join(URL.sub(" ", text or "").split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def fmt_int(value) -> str:
    return "-" if value is None else f"{round(value):,}"


def fmt_rate(value) -> str:
    """A share as a percentage with three significant digits at most: 12.3 %, 1.23 %, 0.123 %."""
    if value is None:
        return "-"
    pct = value * 100
    if pct == 0:
        return "0 %"
    decimals = max(0, min(3, 2 - math.floor(math.log10(abs(pct)))))
    return f"{pct:,.{decimals}f} %"


def fmt_score(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- HTML pieces ------------------------------------------------------------------------------


def _table(headers: list[tuple[str, str]], rows: list[list[str]]) -> str:
    """headers: (label, 'text', 'date' or 'num'); cells are HTML already escaped by the caller."""
    head = "".join(f'<th class="{kind}">{escape(label)}</th>' for label, kind in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{kind}">{cell}</td>' for (_, kind), cell in zip(headers, row, strict=True))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _link(text: str, url: str | None) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>' if url else escape(text)


class Figures:
    """Numbered figures; each keeps its Vega-Lite spec for the page's script."""

    def __init__(self) -> None:
        self.html: list[str] = []
        self.specs: dict[str, dict] = {}

    def add(self, caption: str, chart: alt.TopLevelMixin | None, table: str = "", note: str = "") -> None:
        number = len(self.html) + 1
        name = f"chart-{number}"
        view = ""
        if chart is not None:
            self.specs[name] = chart.to_dict()
            view = f'<div class="view" id="{name}-view"></div>'
        note_html = f'<p class="note">{note}</p>' if note else ""
        self.html.append(
            f'<figure class="chart" id="{name}"><figcaption>{number}. {escape(caption)}</figcaption>'
            f"{view}{note_html}{table}</figure>"
        )


# -- the charts -------------------------------------------------------------------------------


def posts_figure(con, figures: Figures) -> None:
    import altair as alt  # seconds to import; only the report needs it

    posts = _rows(con, "posts")
    values = [
        {
            "post": shorten(p["text"], 60) or p["url"],
            "author": p["author"],
            "channel": p["channel"],
            "url": p["url"],
            "potential_impressions": max(p["potential_impressions"], 1),
            "engagements_plus_1": p["engagements"] + 1,
            "engagements": p["engagements"],
            "rate per follower": fmt_rate(p["rate_followers"]),
        }
        for p in posts
    ]
    chart = (
        alt.Chart(alt.Data(values=values), width=800, height=360)
        .mark_circle(opacity=0.6)
        .encode(
            x=alt.X(
                "potential_impressions:Q", scale=alt.Scale(type="log"), title="potential impressions (log)"
            ),
            y=alt.Y("engagements_plus_1:Q", scale=alt.Scale(type="log"), title="engagements + 1 (log)"),
            color=alt.Color("channel:N", title="channel"),
            href="url:N",
            tooltip=["post:N", "author:N", "potential_impressions:Q", "engagements:Q", "rate per follower:N"],
        )
    )
    rows = [
        [
            _link(shorten(p["text"]) or "(no text)", p["url"]),
            escape(str(p["author"])),
            f"{p['posted_at']:%Y-%m-%d}" if p["posted_at"] else "-",
            fmt_int(p["potential_impressions"]),
            fmt_int(p["engagements"]),
            fmt_rate(p["rate"]),
            fmt_rate(p["rate_followers"]),
        ]
        for p in posts[:15]
    ]
    headers = [
        ("post", "text"),
        ("author", "text"),
        ("posted", "date"),
        ("potential impressions", "num"),
        ("engagements", "num"),
        ("per impression", "num"),
        ("per follower", "num"),
    ]
    figures.add(
        "Reach versus engagement per post (log-log; click a point to open the post)",
        chart,
        _table(headers, rows),
        f"{len(posts):,} posts; the 15 with the widest reach below. Engagement rates: engagements per "
        "impression (X's count, else potential impressions; '-' where X reports 0) and per author follower.",
    )


def campaign_figure(con, figures: Figures) -> None:
    import altair as alt  # seconds to import; only the report needs it

    campaigns = _rows(con, "campaigns")
    events = [e for e in _rows(con, "campaign_events") if e["at"] is not None]
    if events:
        span_days = (max(e["at"] for e in events) - min(e["at"] for e in events)).total_seconds() / 86400
    else:
        span_days = 0
    by_hour = span_days <= 4
    unit = "utcyearmonthdatehours" if by_hour else "utcyearmonthdate"
    values = [
        {"campaign": e["campaign"], "measure": e["measure"], "at": _iso(e["at"]), "value": e["value"]}
        for e in events
    ]
    measures = [
        "shares",
        "exposure",
        "engagements",
        "conversions",
    ]
    chart = (
        alt.Chart(alt.Data(values=values), width=760, height=100)
        .mark_bar()
        .encode(
            x=alt.X("at:T", timeUnit=unit, title="hour (UTC)" if by_hour else "day (UTC)"),
            y=alt.Y("sum(value):Q", title=None),
            color=alt.Color("campaign:N"),
            tooltip=[alt.Tooltip("at:T", timeUnit=unit, title="when"), "campaign:N", "sum(value):Q"],
        )
        .facet(
            row=alt.Row(
                "measure:N", sort=measures, title=None, header=alt.Header(labelAngle=0, labelAlign="left")
            )
        )
        .resolve_scale(y="independent")
    )
    headers = [
        ("campaign", "text"),
        ("owner", "text"),
        ("sharing tweets", "num"),
        ("amplifiers", "num"),
        ("potential impressions", "num"),
        ("engagements", "num"),
        ("conversions", "num"),
        ("amount", "num"),
        ("conversions per million impressions", "num"),
    ]
    rows = [
        [
            _link(c["campaign"], c["url"]),
            escape(str(c["owner"] or "-")),
            fmt_int(c["sharing_tweets"]),
            fmt_int(c["amplifiers"]),
            fmt_int(c["potential_impressions"]),
            fmt_int(c["engagements"]),
            fmt_int(c["conversions"]),
            f"{c['conversion_amount']:,.2f}",
            "-"
            if c["conversions_per_million_impressions"] is None
            else f"{c['conversions_per_million_impressions']:,.1f}",
        ]
        for c in campaigns
    ]
    figures.add(
        f"The campaign over time, by {'hour' if by_hour else 'day'}",
        chart if values else None,
        _table(headers, rows),
        "Exposure: each share (tweet, retweet or quote) counts its author's followers at the time.",
    )


def ties_figure(con, figures: Figures, owner: tuple[str, str] | None) -> None:
    import altair as alt  # seconds to import; only the report needs it

    if owner is None:
        figures.add("The owner's ties", None, note="No measured account.")
        return
    ties = _rows(con, "ties", [owner[0]])
    # a radial picture: the owner in the middle, each tie at distance 1 - tie_strength; ranks spread
    # around the circle by the golden angle, so no class takes a sector of its own
    nodes, edges = [], []
    for i, t in enumerate(ties):
        angle = i * math.pi * (3 - math.sqrt(5))
        radius = 0.08 + 0.92 * (1 - t["tie_strength"])
        x, y = radius * math.cos(angle), radius * math.sin(angle)
        nodes.append(
            {
                "name": t["name"],
                "tie_class": t["tie_class"],
                "tie_strength": round(t["tie_strength"], 3),
                "interactions": t["interactions"],
                "x": x,
                "y": y,
            }
        )
        edges.append({"x": 0.0, "y": 0.0, "x2": x, "y2": y, "tie_class": t["tie_class"]})
    axis = alt.Axis(labels=False, ticks=False, grid=False, domain=False, title=None)
    scale = alt.Scale(domain=[-1.05, 1.05])
    colour = alt.Color(
        "tie_class:N", scale=alt.Scale(domain=list(TIE_CLASSES), range=list(TIE_COLOURS)), title="tie"
    )
    lines = (
        alt.Chart(alt.Data(values=edges))
        .mark_rule(color="#c8ced6", strokeWidth=0.5)
        .encode(
            x=alt.X("x:Q", axis=axis, scale=scale),
            y=alt.Y("y:Q", axis=axis, scale=scale),
            x2="x2:Q",
            y2="y2:Q",
        )
    )
    points = (
        alt.Chart(alt.Data(values=nodes))
        .mark_circle(opacity=0.8, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("x:Q", axis=axis, scale=scale),
            y=alt.Y("y:Q", axis=axis, scale=scale),
            color=colour,
            size=alt.Size("interactions:Q", scale=alt.Scale(range=[15, 600]), title="interactions"),
            tooltip=["name:N", "tie_class:N", "tie_strength:Q", "interactions:Q"],
        )
    )
    centre = (
        alt.Chart(alt.Data(values=[{"x": 0.0, "y": 0.0, "name": owner[1]}]))
        .mark_text(fontWeight="bold", fontSize=14, dy=-12)
        .encode(x=alt.X("x:Q", axis=axis, scale=scale), y=alt.Y("y:Q", axis=axis, scale=scale), text="name:N")
    )
    chart = alt.layer(lines, points, centre, width=560, height=560).configure_view(stroke=None)
    counts = {c: sum(t["tie_class"] == c for t in ties) for c in TIE_CLASSES}
    rows = [
        [
            escape(t["name"]),
            escape(t["tie_class"]),
            f"{t['tie_strength']:.2f}",
            fmt_int(t["interactions"]),
        ]
        for t in ties[:15]
    ]
    figures.add(
        f"{owner[1]}'s ties: closer to the centre is stronger, larger is more interactions",
        chart if ties else None,
        _table([("person", "text"), ("tie", "text"), ("tie strength", "num"), ("interactions", "num")], rows),
        f"{len(ties):,} people: {counts['strong']:,} strong, {counts['weak']:,} weak, {counts['none']:,} none; "
        "the 15 strongest below.",
    )


def spread_figure(con, figures: Figures, owner: tuple[str, str] | None) -> None:
    import altair as alt  # seconds to import; only the report needs it

    accounts = _rows(con, "accounts")
    owner_id = owner[0] if owner else None
    values = [
        {
            "account": a["account"],
            "strong_ties": a["strong_ties"],
            "spread_score": a["spread_score"],
            "followers": a["followers"] or 0,
            "role": "owner" if a["person_id"] == owner_id else "other account",
        }
        for a in accounts
        if a["spread_score"] is not None
    ]
    base = alt.Chart(alt.Data(values=values), width=560, height=360).encode(
        x=alt.X("strong_ties:Q", title="strong ties", scale=alt.Scale(zero=True)),
        y=alt.Y("spread_score:Q", title="spread score (1-100)", scale=alt.Scale(domain=[0, 100])),
    )
    points = base.mark_circle(size=160, opacity=0.85).encode(
        color=alt.Color(
            "role:N",
            scale=alt.Scale(domain=["owner", "other account"], range=["#c0392b", "#5b7fa6"]),
            title=None,
        ),
        tooltip=["account:N", "spread_score:Q", "strong_ties:Q", "followers:Q"],
    )
    labels = base.mark_text(align="left", dx=9, fontSize=12).encode(text="account:N")
    headers = [
        ("account", "text"),
        ("followers", "num"),
        ("potential reach", "num"),
        ("spread score", "num"),
        ("strong ties", "num"),
        ("weak ties", "num"),
        ("friends", "num"),
        ("Dunbar share", "num"),
        ("engagement from strong ties", "num"),
    ]
    rows = [
        [
            escape(a["account"]),
            fmt_int(a["followers"]),
            fmt_int(a["potential_reach"]),
            fmt_score(a["spread_score"]),
            fmt_int(a["strong_ties"]),
            fmt_int(a["weak_ties"]),
            fmt_int(a["friends"]),
            fmt_rate(a["dunbar_share"]),
            fmt_rate(a["strong_tie_engagement_share"]),
        ]
        for a in accounts[:25]
    ]
    figures.add(
        "Spread score against strong ties, every account in scope (the owner in red)",
        alt.layer(points, labels) if values else None,
        _table(headers, rows),
    )


def histogram_values(strengths: list[dict]) -> list[dict]:
    """Every bin of width 1/HISTOGRAM_BINS and every class, empty ones included (count 0)."""
    counts = {(b, c): 0 for b in range(HISTOGRAM_BINS) for c in TIE_CLASSES}
    for s in strengths:
        b = min(int(s["tie_strength"] * HISTOGRAM_BINS), HISTOGRAM_BINS - 1)
        counts[(b, s["tie_class"])] += 1
    return [
        {
            "bin": f"{b / HISTOGRAM_BINS:.2f}–{(b + 1) / HISTOGRAM_BINS:.2f}",
            "start": b / HISTOGRAM_BINS,
            "tie_class": c,
            "people": n,
        }
        for (b, c), n in counts.items()
    ]


def histogram_figure(con, figures: Figures, thresholds: tuple[float, float] | None) -> None:
    import altair as alt  # seconds to import; only the report needs it

    strengths = _rows(con, "tie_strengths")
    values = histogram_values(strengths)
    order = [v["bin"] for v in values if v["tie_class"] == TIE_CLASSES[0]]
    chart = (
        alt.Chart(alt.Data(values=values), width=800, height=300)
        .mark_bar()
        .encode(
            x=alt.X("bin:O", sort=order, title="tie strength", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(people):Q", title="people"),
            color=alt.Color(
                "tie_class:N", scale=alt.Scale(domain=list(TIE_CLASSES), range=list(TIE_COLOURS)), title="tie"
            ),
            order=alt.Order("tie_class:N"),
            tooltip=["bin:N", "tie_class:N", "people:Q"],
        )
    )
    per_bin: dict[str, list[int]] = {}
    for v in values:
        per_bin.setdefault(v["bin"], []).append(v["people"])
    rows = [[escape(b)] + [fmt_int(n) for n in ns] + [fmt_int(sum(ns))] for b, ns in per_bin.items()]
    note = f"{len(strengths):,} ties of all accounts in scope."
    if thresholds:
        note += f" Strong from {thresholds[0]:.2f}, weak from {thresholds[1]:.2f}."
    figures.add(
        "Tie-strength histogram (every bin, empty ones included)",
        chart,
        _table([("tie strength", "text")] + [(c, "num") for c in TIE_CLASSES] + [("all", "num")], rows),
        escape(note),
    )


def definitions() -> str:
    doc = METRICS_DOC.as_uri()
    items = "".join(
        f"<dt>{escape(term)}</dt><dd>{escape(text)} "
        f'<a href="{doc}">metrics.md</a>, section “{escape(section)}”.</dd>'
        for term, section, text in DEFINITIONS
    )
    return (
        '<section id="definitions"><h2>Definitions</h2>'
        f'<p class="note">The formulas in full are in <a href="{doc}">metrics.md</a>.</p>'
        f'<dl class="definitions">{items}</dl></section>'
    )


def _script_json(value) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value).replace("</", "<\\/").replace("<!--", "<\\!--")


def _vega_script() -> str:
    import vl_convert

    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


def render(con: duckdb.DuckDBPyConnection) -> str:
    window = _rows(con, "as_of")
    owner_row = con.execute(QUERIES["owner"]).fetchone()
    owner = (owner_row[0], owner_row[1]) if owner_row else None
    figures = Figures()
    posts_figure(con, figures)
    campaign_figure(con, figures)
    ties_figure(con, figures, owner)
    spread_figure(con, figures, owner)
    thresholds = (window[0]["strong_tie_threshold"], window[0]["weak_tie_threshold"]) if window else None
    histogram_figure(con, figures, thresholds)
    stamp = f"reference time {window[0]['as_of']:%Y-%m-%d %H:%M} UTC" if window else ""
    embed = (
        "window.tiemeterViews = {};\n"
        f"const specs = {_script_json(figures.specs)};\n"
        "for (const [name, spec] of Object.entries(specs)) {\n"
        "  vegaEmbed('#' + name + '-view', spec, {actions: false, renderer: 'svg'})\n"
        "    .then(result => { window.tiemeterViews[name] = result.view; })\n"
        "    .catch(error => console.error(name, error));\n"
        "}\n"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>tiemeter report</title>'
        f"<style>{CSS}</style><script>{_vega_script()}</script></head><body>"
        "<h1>Audience or influence?</h1>"
        f'<p class="lede">Reach, spread and strong ties; {escape(stamp)}; generated '
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC by tiemeter. "
        f'Each score is defined <a href="#definitions">below</a> and in full in '
        f'<a href="{METRICS_DOC.as_uri()}">metrics.md</a>.</p>'
        + "".join(figures.html)
        + definitions()
        + f"<script>{embed}</script></body></html>\n"
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
