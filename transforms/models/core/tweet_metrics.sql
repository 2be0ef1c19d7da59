{{ config(materialized='table', schema='core') }}

with observations as (
    select * from {{ ref('stg_x__api_tweets') }}
    union all by name
    select * from {{ ref('stg_x__archive_tweets') }}
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
left join {{ ref('tweet_versions') }} v on v.version_id = o.version_id
where o.observed_at is not null and (o.retweets is not null or o.likes is not null)
qualify row_number() over (
    partition by coalesce(v.tweet_id, o.tweet_id), o.observed_at
    order by o.version_id::hugeint desc, o.landing_file desc, o.line_no desc
) = 1
