{{ config(materialized='table', schema='core') }}

with observations as ({{ tweet_observations('version_id, is_retweet, mentions') }}),

mentions as (
    select t.tweet_id, t.is_retweet, unnest(o.mentions) as m
    from {{ ref('tweets') }} t
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
