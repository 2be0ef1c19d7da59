{{ config(materialized='table', schema='core') }}

with profiles as (
    select *
    from {{ ref('stg_x__api_users') }}
    qualify row_number() over (
        partition by user_id
        order by observed_at desc nulls last, (followers is not null) desc, landing_file desc, line_no desc, item_no desc
    ) = 1
),

observations as (
    select author_id as user_id, null as username, observed_at from {{ ref('stg_x__api_tweets') }}
    union all
    select in_reply_to_user_id, null, observed_at from {{ ref('stg_x__api_tweets') }}
    union all
    select author_id, null, observed_at from {{ ref('stg_x__archive_tweets') }}
    union all
    select in_reply_to_user_id, null, observed_at from {{ ref('stg_x__archive_tweets') }}
    union all
    select m.user_id, m.username, observed_at
    from (select unnest(mentions) as m, observed_at from {{ ref('stg_x__api_tweets') }})
    union all
    select m.user_id, m.username, observed_at
    from (select unnest(mentions) as m, observed_at from {{ ref('stg_x__archive_tweets') }})
    union all
    select follower_user_id, null, observed_at from {{ ref('stg_x__archive_follows') }}
    union all
    select followed_user_id, null, observed_at from {{ ref('stg_x__archive_follows') }}
),

sightings as (
    select user_id, arg_max(username, observed_at) filter (where username is not null) as username
    from observations
    where user_id is not null
    group by user_id
),

all_ids as (
    select user_id from sightings
    union
    select user_id from profiles
)

select
    all_ids.user_id,
    coalesce(p.username, s.username) as username,
    case when r.removes_text is not true then p.display_name end as display_name,
    case when r.removes_text is not true then p.description end as description,
    case when r.removes_text is not true then p.location end as location,
    case when r.removes_text is not true then p.url end as url,
    p.created_at,
    p.verified,
    p.verified_type,
    p.protected,
    case when r.removes_text is not true then p.profile_image_url end as profile_image_url,
    p.followers,
    p.following,
    p.tweet_count,
    p.listed_count,
    coalesce(p.is_withheld, false) as is_withheld,
    p.user_id is not null as has_profile,
    p.observed_at as profile_observed_at,
    r.reason as removal_reason
from all_ids
left join profiles p on p.user_id = all_ids.user_id
left join {{ ref('removals') }} r on r.resource_type = 'user' and r.resource_id = all_ids.user_id
left join sightings s on s.user_id = all_ids.user_id
