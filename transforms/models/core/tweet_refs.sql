/*
model: core.tweet_refs
grain: one row per (tweet, reference type, referenced tweet)
description: >
  What each tweet retweets, quotes or replies to, from the tweet's latest version. The referenced
  tweet may be missing from core.tweets (deleted, protected, or never collected).
unique_key: [tweet_id, ref_type, referenced_tweet_id]
columns:
  tweet_id: {description: "The referencing tweet.", tests: [not_null, {relationships: core.tweets.tweet_id}]}
  ref_type: {description: "retweeted, quoted or replied_to.", tests: [not_null, {accepted_values: [retweeted, quoted, replied_to]}]}
  referenced_tweet_id: {description: "The referenced tweet, resolved to its edit chain where known.", tests: [not_null]}
  referenced_version_id: {description: "The referenced tweet id exactly as the API gave it."}
  referenced_author_id: {description: "Author of the referenced tweet, when that tweet is in core.tweets."}
  referenced_available: {description: "True when the referenced tweet itself is in core.tweets.", tests: [not_null]}
*/
with observations as (
    select version_id, referenced_tweets from staging.stg_x__api_tweets
    union all
    select version_id, referenced_tweets from staging.stg_x__archive_tweets
),

refs as (
    select distinct tweet_id, ref.type as ref_type, ref.id as referenced_version_id
    from (
        select t.tweet_id, unnest(o.referenced_tweets) as ref
        from core.tweets t
        join observations o on o.version_id = t.latest_version_id
    )
    where ref.id is not null and ref.type is not null
)

select
    refs.tweet_id,
    refs.ref_type,
    coalesce(v.tweet_id, refs.referenced_version_id) as referenced_tweet_id,
    min(refs.referenced_version_id) as referenced_version_id,
    any_value(target.author_id) as referenced_author_id,
    bool_or(target.tweet_id is not null) as referenced_available
from refs
left join core.tweet_versions v on v.version_id = refs.referenced_version_id
left join core.tweets target on target.tweet_id = coalesce(v.tweet_id, refs.referenced_version_id)
group by all
