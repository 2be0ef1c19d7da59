{{ config(materialized='table', schema='core') }}

with events as (
    select resource_id, action, any_value(reason) as reason, any_value(resource_type) as stated_type,
        any_value(author_id) as author_id, created_at, max(redacted_at) as redacted_at, max(observed_at) as observed_at
    from {{ ref('stg_x__compliance') }}
    where resource_id is not null
    group by resource_id, action, created_at
),

seen_users as (
    select user_id from {{ ref('stg_x__api_users') }} where user_id is not null
    union
    select author_id from {{ ref('stg_x__api_tweets') }} where author_id is not null
    union
    select author_id from {{ ref('stg_x__archive_tweets') }} where author_id is not null
)

select
    e.resource_id,
    coalesce(
        e.stated_type,
        case when u.user_id is not null and v.version_id is null then 'user' else 'tweet' end
    ) as resource_type,
    e.action,
    e.reason,
    e.author_id,
    e.created_at,
    e.redacted_at,
    e.observed_at
from events e
left join seen_users u on u.user_id = e.resource_id
left join {{ ref('tweet_versions') }} v on v.version_id = e.resource_id
