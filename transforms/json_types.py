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

# The collector's stamp names the concrete request a page answers (collectors.x_api.pages).
X_REQUEST = {"path": "VARCHAR", "tweet_id": "VARCHAR"}
X_TWEETS_PAGE = {
    "data": [TWEET],
    "includes": {"tweets": [TWEET], "users": [USER]},
    "errors": [ERROR],
    "__tiemeter": X_REQUEST,
}
X_USERS_PAGE = {
    "data": [USER],
    "includes": {"tweets": [TWEET], "users": [USER]},
    "errors": [ERROR],
    "__tiemeter": X_REQUEST,
}
X_STREAM_PAGE = {"data": TWEET}  # the filtered stream sends one tweet per line, not a list
# twarc's flatten inlines users and referenced tweets into the tweet
X_FLAT_REFERENCES = {"referenced_tweets": [TWEET]}
X_FLAT_USERS = {
    "author": USER,
    "in_reply_to_user": USER,
    "referenced_tweets": [{"author": USER}],
    "entities": {"mentions": [USER]},
}

# -- blogs ----------------------------------------------------------------------------------------

_FEED_PERSON = {"name": "VARCHAR", "email": "VARCHAR", "href": "VARCHAR"}
FEED_ENTRY = {
    "id": "VARCHAR",
    "link": "VARCHAR",
    "title": "VARCHAR",
    "author": "VARCHAR",
    "author_detail": _FEED_PERSON,
    "published_parsed": "VARCHAR",
    "updated_parsed": "VARCHAR",
    "created_parsed": "VARCHAR",
    "summary": "VARCHAR",
    "content": [{"value": "VARCHAR", "type": "VARCHAR"}],
    "links": [{"rel": "VARCHAR", "href": "VARCHAR", "type": "VARCHAR", "thr:count": "VARCHAR"}],
    "wfw_commentrss": "VARCHAR",
    "slash_comments": "VARCHAR",
    "thr_total": "VARCHAR",
    "thr_in-reply-to": {"ref": "VARCHAR", "href": "VARCHAR"},
    "feedburner_origlink": "VARCHAR",
}
# feedparser's parsed document, as collectors.feed_parse lands it
FEED_DOCUMENT = {
    "version": "VARCHAR",
    "bozo": "BOOLEAN",
    "bozo_exception": "VARCHAR",
    "feed": {"title": "VARCHAR", "link": "VARCHAR", "id": "VARCHAR", "generator": "VARCHAR"},
    "entries": [FEED_ENTRY],
}

WP_POSTS_PAGE = {
    "items": [
        {
            "id": "BIGINT",
            "date": "VARCHAR",
            "date_gmt": "VARCHAR",
            "modified_gmt": "VARCHAR",
            "link": "VARCHAR",
            "guid": {"rendered": "VARCHAR"},
            "title": {"rendered": "VARCHAR"},
            "author": "BIGINT",
            "status": "VARCHAR",
            "type": "VARCHAR",
            "_embedded": {"author": [{"id": "BIGINT", "name": "VARCHAR"}]},
        }
    ]
}
WP_COMMENTS_PAGE = {
    "items": [
        {
            "id": "BIGINT",
            "post": "BIGINT",
            "parent": "BIGINT",
            "author": "BIGINT",
            "author_name": "VARCHAR",
            "author_url": "VARCHAR",
            "date": "VARCHAR",
            "date_gmt": "VARCHAR",
            "content": {"rendered": "VARCHAR"},
            "link": "VARCHAR",
            "status": "VARCHAR",
            "type": "VARCHAR",
            "author_avatar_urls": "JSON",  # {size: url}; the sizes vary by site
        }
    ]
}

_DISQUS_AUTHOR = {
    "id": "VARCHAR",
    "username": "VARCHAR",
    "name": "VARCHAR",
    "url": "VARCHAR",
    "isAnonymous": "BOOLEAN",
}
DISQUS_THREAD = {
    "id": "VARCHAR",
    "link": "VARCHAR",
    "title": "VARCHAR",
    "createdAt": "VARCHAR",
    "author": "VARCHAR",  # the forum user id of whoever created the thread
    "posts": "BIGINT",
    "isDeleted": "BOOLEAN",
}
DISQUS_POSTS_PAGE = {
    "response": [
        {
            "id": "VARCHAR",
            "parent": "VARCHAR",
            "createdAt": "VARCHAR",
            "message": "VARCHAR",
            "isDeleted": "BOOLEAN",
            "isSpam": "BOOLEAN",
            "isApproved": "BOOLEAN",
            "author": _DISQUS_AUTHOR,
            "thread": DISQUS_THREAD,  # with related=thread; a bare id otherwise
        }
    ]
}

# XML exports, in the shape collectors.xml_records lands them
_WXR_COMMENT_FIELDS = (
    "comment_id",
    "comment_author",
    "comment_author_email",
    "comment_author_url",
    "comment_date",
    "comment_date_gmt",
    "comment_content",
    "comment_approved",
    "comment_type",
    "comment_parent",
    "comment_user_id",
)
WXR_ITEM = {
    "title": "VARCHAR",
    "link": "VARCHAR",
    "pubDate": "VARCHAR",
    "dc:creator": "VARCHAR",
    "guid": "JSON",
    "wp:post_id": "VARCHAR",
    "wp:post_date_gmt": "VARCHAR",
    "wp:post_type": "VARCHAR",
    "wp:status": "VARCHAR",
    "wp:comment": [{f"wp:{name}": "VARCHAR" for name in _WXR_COMMENT_FIELDS}],
}
WXR_AUTHOR = {
    "wp:author_id": "VARCHAR",
    "wp:author_login": "VARCHAR",
    "wp:author_email": "VARCHAR",
    "wp:author_display_name": "VARCHAR",
}
_DISQUS_XML_AUTHOR = {"name": "VARCHAR", "email": "VARCHAR", "username": "VARCHAR", "isAnonymous": "VARCHAR"}
DISQUS_XML_THREAD = {
    "@dsq:id": "VARCHAR",
    "link": "VARCHAR",
    "title": "VARCHAR",
    "createdAt": "VARCHAR",
    "author": _DISQUS_XML_AUTHOR,
    "isDeleted": "VARCHAR",
}
DISQUS_XML_POST = {
    "@dsq:id": "VARCHAR",
    "message": "VARCHAR",
    "createdAt": "VARCHAR",
    "isDeleted": "VARCHAR",
    "isSpam": "VARCHAR",
    "author": _DISQUS_XML_AUTHOR,
    "thread": {"@dsq:id": "VARCHAR"},
    "parent": {"@dsq:id": "VARCHAR"},
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
        "FEED_DOCUMENT": FEED_DOCUMENT,
        "WP_POSTS_PAGE": WP_POSTS_PAGE,
        "WP_COMMENTS_PAGE": WP_COMMENTS_PAGE,
        "DISQUS_POSTS_PAGE": DISQUS_POSTS_PAGE,
        "WXR_ITEM": WXR_ITEM,
        "WXR_AUTHOR": WXR_AUTHOR,
        "DISQUS_XML_THREAD": DISQUS_XML_THREAD,
        "DISQUS_XML_POST": DISQUS_XML_POST,
    }.items()
}
