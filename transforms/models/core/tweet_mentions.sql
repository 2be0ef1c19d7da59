/*
model: core.tweet_mentions
grain: one row per (tweet, mentioned username)
description: >
  The @mentions of each tweet's latest version. A retweet's text starts with "RT @author:"; that
  mention is X's doing, not the retweeter's, and is flagged with is_retweet_prefix.
unique_key: [tweet_id, mentioned_username]
columns:
  tweet_id: {description: "The mentioning tweet.", tests: [not_null, {relationships: core.tweets.tweet_id}]}
  mentioned_username: {description: "The mentioned @username, lower-cased.", tests: [not_null]}
  mentioned_user_id: {description: "The mentioned user's id, when the source gave it.", tests: [{relationships: core.x_users.user_id}]}
  is_retweet_prefix: {description: "True for the 'RT @user:' mention X writes into a retweet.", tests: [not_null]}
*/
with observations as (
    select version_id, is_retweet, mentions from staging.stg_x__api_tweets
    union all
    select version_id, is_retweet, mentions from staging.stg_x__archive_tweets
),

mentions as (
    select t.tweet_id, t.is_retweet, unnest(o.mentions) as m
    from core.tweets t
    join observations o on o.version_id = t.latest_version_id
)

select
    tweet_id,
    lower(m.username) as mentioned_username,
    max(m.user_id) as mentioned_user_id,
    bool_or(is_retweet and m.start_at = 3) as is_retweet_prefix
from mentions
where m.username is not null
group by all
