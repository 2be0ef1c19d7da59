"""What every X API request asks for: the largest page and every expansion that saves a later call.

With these, one search page carries the tweets, the tweets they retweet, quote or reply to, and
the profiles (with follower counts) of every author, replied-to and mentioned user: nothing has
to be looked up one by one afterwards.
"""

from __future__ import annotations

TWEET_EXPANSIONS = (
    "author_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
    "entities.mentions.username",
    "in_reply_to_user_id",
    "edit_history_tweet_ids",
)
TWEET_FIELDS = (
    "author_id",
    "conversation_id",
    "created_at",
    "edit_history_tweet_ids",
    "entities",
    "in_reply_to_user_id",
    "lang",
    "possibly_sensitive",
    "public_metrics",
    "referenced_tweets",
    "withheld",
)
USER_FIELDS = (
    "created_at",
    "description",
    "location",
    "name",
    "profile_image_url",
    "protected",
    "public_metrics",
    "url",
    "username",
    "verified",
    "verified_type",
    "withheld",
)

# The largest max_results each endpoint accepts (X API v2 reference / openapi.json).
MAX_RESULTS = {
    "/2/tweets/search/recent": 100,
    "/2/tweets/search/all": 500,
    "/2/users/:id/tweets": 100,
    "/2/users/:id/mentions": 100,
    "/2/tweets/:id/retweeted_by": 100,
    "/2/tweets/:id/quote_tweets": 100,
    "/2/tweets/:id/liking_users": 100,
}
IDS_PER_LOOKUP = 100  # GET /2/tweets?ids= and GET /2/users/by?usernames= take at most 100


def tweet_request() -> dict[str, list[str]]:
    """Keyword arguments for a tweepy call that returns tweets (tweepy joins lists, not tuples)."""
    return {
        "expansions": list(TWEET_EXPANSIONS),
        "tweet_fields": list(TWEET_FIELDS),
        "user_fields": list(USER_FIELDS),
    }


def user_request() -> dict[str, list[str]]:
    """Keyword arguments for a tweepy call that returns users (no expansion is worth its cost there)."""
    return {"user_fields": list(USER_FIELDS)}
