{{ config(materialized='table', schema='core') }}

with observations as ({{ tweet_observations('version_id, referenced_tweets') }}),

refs as (
    select distinct tweet_id, ref.type as ref_type, ref.id as referenced_version_id
    from (
        select t.tweet_id, unnest(o.referenced_tweets) as ref
        from {{ ref('tweets') }} t
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
left join {{ ref('tweet_versions') }} v on v.version_id = refs.referenced_version_id
left join {{ ref('tweets') }} target on target.tweet_id = coalesce(v.tweet_id, refs.referenced_version_id)
group by all
