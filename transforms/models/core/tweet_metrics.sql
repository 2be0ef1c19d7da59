/*
model: core.tweet_metrics
grain: one row per (tweet, observed_at), a snapshot of its public metrics
description: >
  Metrics change over time, so every observation is kept. For an edited tweet the metrics of the
  latest version seen at that moment count. Archive tweets give only likes and retweets.
unique_key: [tweet_id, observed_at]
columns:
  tweet_id: {description: "The tweet.", tests: [not_null, {relationships: core.tweets.tweet_id}]}
  observed_at: {description: "When the metrics were read from the API (or the archive imported).", tests: [not_null]}
  retweets: {description: "retweet_count at observed_at."}
  replies: {description: "reply_count at observed_at."}
  likes: {description: "like_count at observed_at."}
  quotes: {description: "quote_count at observed_at."}
  impressions: {description: "impression_count at observed_at; null where the API did not give it."}
  bookmarks: {description: "bookmark_count at observed_at; null where the API did not give it."}
  source: {description: "x_api, twarc or x_archive.", tests: [not_null]}
*/
with observations as (
    select * from staging.stg_x__api_tweets
    union all by name
    select * from staging.stg_x__archive_tweets
)

select
    coalesce(v.tweet_id, o.tweet_id) as tweet_id,
    o.observed_at,
    o.retweets,
    o.replies,
    o.likes,
    o.quotes,
    o.impressions,
    o.bookmarks,
    o.source
from observations o
left join core.tweet_versions v on v.version_id = o.version_id
where o.observed_at is not null and (o.retweets is not null or o.likes is not null)
qualify row_number() over (
    partition by coalesce(v.tweet_id, o.tweet_id), o.observed_at
    order by o.version_id::hugeint desc, o.landing_file desc, o.line_no desc
) = 1
