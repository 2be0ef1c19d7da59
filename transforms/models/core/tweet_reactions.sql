{{ config(materialized='table', schema='core') }}

with listed as (
    select coalesce(v.tweet_id, l.tweet_id) as tweet_id, l.user_id,
        case l.list_kind when 'liking_users' then 'like' else 'retweet' end as reaction,
        cast(null as varchar) as retweet_id, cast(null as timestamptz) as reacted_at, l.observed_at
    from {{ ref('stg_x__tweet_user_lists') }} l
    left join {{ ref('tweet_versions') }} v on v.version_id = l.tweet_id
    where l.user_id is not null
),

retweets as (
    select r.referenced_tweet_id as tweet_id, t.author_id as user_id, 'retweet' as reaction,
        t.tweet_id as retweet_id, t.created_at as reacted_at, t.first_observed_at as observed_at
    from {{ ref('tweet_refs') }} r
    join {{ ref('tweets') }} t on t.tweet_id = r.tweet_id
    where r.ref_type = 'retweeted' and t.author_id is not null
),

combined as (
    select * from listed
    union all
    select * from retweets
)

select
    c.tweet_id,
    c.user_id,
    c.reaction,
    min(c.retweet_id) as retweet_id,
    coalesce(min(c.reacted_at), any_value(target.created_at)) as reacted_at,
    min(c.observed_at) as first_observed_at
from combined c
left join {{ ref('tweets') }} target on target.tweet_id = c.tweet_id
-- no reaction to a removed tweet, none by a removed user
where c.tweet_id not in (select tweet_id from {{ ref('removed_tweets') }})
  and c.user_id not in (select resource_id from {{ ref('removals') }} where resource_type = 'user')
group by c.tweet_id, c.user_id, c.reaction
