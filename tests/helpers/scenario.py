"""Hand-built scenarios in the shapes the real sources produce: X API v2 pages (as twarc2 writes
them, with ``__twarc``) and rows of the core blog tables."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

T0 = datetime(2012, 12, 1, 12, 0, tzinfo=UTC)
API = "https://api.twitter.com/2"


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class XScenario:
    users: dict[str, dict] = field(default_factory=dict)
    tweets: list[dict] = field(default_factory=list)
    likes: dict[str, list[str]] = field(default_factory=dict)  # tweet id -> liking user ids
    errors: list[dict] = field(default_factory=list)
    retrieved_at: datetime = T0 + timedelta(days=30)

    def user(self, user_id: str, username: str, followers: int) -> str:
        self.users[user_id] = {
            "id": user_id,
            "username": username,
            "name": username.title(),
            "created_at": "2009-01-01T00:00:00.000Z",
            "public_metrics": {
                "followers_count": followers,
                "following_count": 10,
                "tweet_count": 100,
                "listed_count": 1,
            },
        }
        return user_id

    def tweet(
        self,
        tweet_id: str,
        author: str,
        at: datetime,
        text: str = "hello",
        reply_to: str | None = None,
        quote: str | None = None,
        retweet: str | None = None,
        mentions: tuple[str, ...] = (),
        urls: tuple[str, ...] = (),
        metrics: dict | None | bool = None,
    ) -> str:
        """``metrics=False`` leaves public_metrics out, as when the field was not requested."""
        refs = []
        in_reply_to_user = None
        by_id = {t["id"]: t for t in self.tweets}
        if reply_to:
            refs.append({"type": "replied_to", "id": reply_to})
            in_reply_to_user = by_id[reply_to]["author_id"] if reply_to in by_id else None
        if quote:
            refs.append({"type": "quoted", "id": quote})
        if retweet:
            refs.append({"type": "retweeted", "id": retweet})
            original = by_id[retweet]
            text = f"RT @{self.users[original['author_id']]['username']}: {original['text']}"[:140]
            mentions = (original["author_id"], *mentions)
        entities = {}
        if mentions:
            entities["mentions"] = []
            for user_id in mentions:
                name = self.users[user_id]["username"]
                start = text.find("@" + name)
                if start < 0:
                    text = f"@{name} {text}"
                    start = 0
                entities["mentions"].append(
                    {"start": start, "end": start + len(name) + 1, "username": name, "id": user_id}
                )
            # offsets were computed while the text grew: recompute them on the final text
            for m in entities["mentions"]:
                m["start"] = text.find("@" + m["username"])
                m["end"] = m["start"] + len(m["username"]) + 1
        if urls:
            entities["urls"] = [{"url": f"https://t.co/{i}", "expanded_url": u} for i, u in enumerate(urls)]
        tweet = {
            "id": tweet_id,
            "edit_history_tweet_ids": [tweet_id],
            "author_id": author,
            "created_at": iso(at),
            "text": text,
            "conversation_id": tweet_id,
            "lang": "en",
        }
        if metrics is not False:
            tweet["public_metrics"] = metrics or {
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
            }
        if refs:
            tweet["referenced_tweets"] = refs
        if in_reply_to_user:
            tweet["in_reply_to_user_id"] = in_reply_to_user
        if entities:
            tweet["entities"] = entities
        self.tweets.append(tweet)
        return tweet_id

    def like(self, tweet_id: str, *user_ids: str) -> None:
        self.likes.setdefault(tweet_id, []).extend(user_ids)

    def deleted(self, tweet_id: str) -> None:
        self.errors.append(
            {
                "value": tweet_id,
                "detail": f"Could not find tweet with ids: [{tweet_id}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": tweet_id,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        )

    def write(self, path: Path) -> Path:
        stamp = {"version": "2.12.0", "retrieved_at": self.retrieved_at.isoformat()}
        lines = [
            {
                "data": self.tweets,
                "includes": {"users": list(self.users.values())},
                **({"errors": self.errors} if self.errors else {}),
                "__twarc": {"url": f"{API}/tweets/search/all?query=scenario", **stamp},
            }
        ]
        for tweet_id, user_ids in self.likes.items():
            lines.append(
                {
                    "data": [self.users[u] for u in user_ids],
                    "meta": {"result_count": len(user_ids)},
                    "__twarc": {"url": f"{API}/tweets/{tweet_id}/liking_users?max_results=100", **stamp},
                }
            )
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        return path


BLOG_POST_COLUMNS = (
    "post_id",
    "site",
    "url",
    "title",
    "author_name",
    "published_at",
    "comment_count",
    "source",
)
BLOG_COMMENT_COLUMNS = (
    "comment_id",
    "site",
    "post_id",
    "parent_comment_id",
    "author_name",
    "author_url",
    "author_email_hash",
    "author_username",
    "published_at",
    "text",
    "kind",
    "is_post_author",
    "source",
)
