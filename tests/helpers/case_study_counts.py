"""Counts over the case study's generated data, in plain Python: the demo tests' yardstick.

Nothing here uses tiemeter code. The rules are the issue's, applied by hand to the tweets, users,
comments and donations the fake servers serve:
- sharing tweets: tweets carrying the campaign URL, and retweets or quotes of those;
- potential impressions (exposure): Σ over sharing tweets of the author's followers;
  potential reach: Σ over distinct sharing accounts;
- a touch: a reply, retweet, quote or like of a sharing tweet (a like dated by the liked tweet, as
  the API gives no time), or a comment on the appeal post; a retweet or quote touches the author
  of the tweet it passes on;
- the credit of a donation: its donor's last touch at or before it, within 7 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tiemeter.demo.case_study import APPEAL_URL, CaseStudy

LOOKBACK = timedelta(days=7)
HEAVYWEIGHT = 100_000


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def followers(study: CaseStudy) -> dict[str, int]:
    return {u["id"]: u["public_metrics"]["followers_count"] for u in study.x_users}


def sharing_tweets(study: CaseStudy) -> list[dict]:
    link = {
        t["id"]
        for t in study.x_tweets
        if any(u["expanded_url"] == APPEAL_URL for u in t.get("entities", {}).get("urls", []))
    }
    return [
        t
        for t in study.x_tweets
        if t["id"] in link
        or any(
            r["id"] in link and r["type"] in ("retweeted", "quoted") for r in t.get("referenced_tweets", [])
        )
    ]


def exposure_by_class(study: CaseStudy) -> dict[str, int]:
    count = followers(study)
    out = {"heavyweight": 0, "regular": 0}
    for t in sharing_tweets(study):
        out["heavyweight" if count[t["author_id"]] >= HEAVYWEIGHT else "regular"] += count[t["author_id"]]
    return out


@dataclass(frozen=True)
class Touch:
    at: datetime
    kind: str  # reply, retweet, quote, like, comment
    author_id: str | None  # the touched sharing tweet's author (None: the appeal post)


def donor_identities(study: CaseStudy, donation: dict) -> tuple[str | None, str | None]:
    """(X user id, e-mail) of a donation's donor, as the data links them: the handle given, or the
    X profile their blog comments link to."""
    by_name = {u["username"].lower(): u["id"] for u in study.x_users}
    email = donation["email"].strip().lower() or None
    handle = donation["x_handle"].strip().lower() or None
    if handle is None and email:
        for c in study.blog_comments:
            if c["author_email"].lower() == email and "twitter.com/" in c["author_url"]:
                handle = c["author_url"].rstrip("/").rsplit("/", 1)[1].lower()
    return by_name.get(handle) if handle else None, email


def touches(study: CaseStudy, user_id: str | None, email: str | None) -> list[Touch]:
    shares = {t["id"]: t for t in sharing_tweets(study)}
    found = []
    for t in study.x_tweets:
        if user_id and t["author_id"] == user_id:
            for ref in t.get("referenced_tweets", []):
                if ref["id"] in shares:
                    kind = {"replied_to": "reply", "retweeted": "retweet", "quoted": "quote"}[ref["type"]]
                    found.append(Touch(when(t["created_at"]), kind, shares[ref["id"]]["author_id"]))
        if user_id and t["id"] in shares and user_id in t.get("liking_user_ids", []):
            found.append(Touch(when(t["created_at"]), "like", t["author_id"]))
    appeal = next(p for p in study.blog_posts if p["url"] == APPEAL_URL)
    for c in study.blog_comments:
        if email and c["post_id"] == appeal["id"] and c["author_email"].lower() == email:
            found.append(Touch(c["published"], "comment", None))
    return sorted(found, key=lambda t: t.at)


def last_touch(study: CaseStudy, donation: dict) -> Touch | None:
    given = when(donation["occurred_at"])
    before = [t for t in touches(study, *donor_identities(study, donation)) if t.at <= given]
    return before[-1] if before and given - before[-1].at <= LOOKBACK else None
