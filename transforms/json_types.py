"""JSON structures for DuckDB's ``json_transform``, shared by the staging models.

Models write ``{{ X_PAGE }}`` and the runner substitutes the structure: a page is parsed once,
into typed structs, instead of once per extracted field.
"""

from __future__ import annotations

import json

_TWEET_METRICS = {
    k: "BIGINT"
    for k in (
        "retweet_count",
        "reply_count",
        "like_count",
        "quote_count",
        "impression_count",
        "bookmark_count",
    )
}
_USER_METRICS = {k: "BIGINT" for k in ("followers_count", "following_count", "tweet_count", "listed_count")}

TWEET = {
    "id": "VARCHAR",
    "author_id": "VARCHAR",
    "created_at": "VARCHAR",
    "text": "VARCHAR",
    "conversation_id": "VARCHAR",
    "lang": "VARCHAR",
    "in_reply_to_user_id": "VARCHAR",
    "possibly_sensitive": "BOOLEAN",
    "edit_history_tweet_ids": ["VARCHAR"],
    "referenced_tweets": [{"type": "VARCHAR", "id": "VARCHAR"}],
    "entities": {
        "mentions": [{"id": "VARCHAR", "username": "VARCHAR", "start": "INTEGER"}],
        "urls": [{"expanded_url": "VARCHAR", "unwound_url": "VARCHAR"}],
    },
    "public_metrics": _TWEET_METRICS,
    "withheld": {"copyright": "BOOLEAN", "country_codes": ["VARCHAR"]},
}

USER = {
    "id": "VARCHAR",
    "username": "VARCHAR",
    "name": "VARCHAR",
    "created_at": "VARCHAR",
    "description": "VARCHAR",
    "location": "VARCHAR",
    "url": "VARCHAR",
    "verified": "BOOLEAN",
    "verified_type": "VARCHAR",
    "protected": "BOOLEAN",
    "profile_image_url": "VARCHAR",
    "public_metrics": _USER_METRICS,
    "withheld": {"country_codes": ["VARCHAR"]},
}

ERROR = {
    "value": "VARCHAR",
    "detail": "VARCHAR",
    "title": "VARCHAR",
    "resource_type": "VARCHAR",
    "parameter": "VARCHAR",
    "resource_id": "VARCHAR",
    "section": "VARCHAR",
    "type": "VARCHAR",
}

X_TWEETS_PAGE = {"data": [TWEET], "includes": {"tweets": [TWEET], "users": [USER]}, "errors": [ERROR]}
X_USERS_PAGE = {"data": [USER], "includes": {"tweets": [TWEET], "users": [USER]}, "errors": [ERROR]}
X_STREAM_PAGE = {"data": TWEET}  # the filtered stream sends one tweet per line, not a list
# twarc's flatten inlines users and referenced tweets into the tweet
X_FLAT_REFERENCES = {"referenced_tweets": [TWEET]}
X_FLAT_USERS = {
    "author": USER,
    "in_reply_to_user": USER,
    "referenced_tweets": [{"author": USER}],
    "entities": {"mentions": [USER]},
}

STRUCTURES = {
    name: json.dumps(value)
    for name, value in {
        "X_TWEET": TWEET,
        "X_TWEETS_PAGE": X_TWEETS_PAGE,
        "X_USERS_PAGE": X_USERS_PAGE,
        "X_STREAM_PAGE": X_STREAM_PAGE,
        "X_FLAT_REFERENCES": X_FLAT_REFERENCES,
        "X_FLAT_USERS": X_FLAT_USERS,
    }.items()
}
