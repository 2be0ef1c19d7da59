{{ config(materialized='table', schema='core') }}

with recursive direct as (
    select resource_id as tweet_id, reason, resource_id as removed_id, observed_at
    from {{ ref('removals') }}
    where resource_type = 'tweet'
    union all
    select t.tweet_id, 'user_' || r.reason, r.resource_id, r.observed_at
    from {{ ref('tweets') }} t
    join {{ ref('removals') }} r on r.resource_type = 'user' and r.resource_id = t.author_id
    union all
    select tweet_id, 'withheld', tweet_id, last_observed_at from {{ ref('tweets') }} where is_withheld
),

passes_on as (
    select tweet_id, retweeted_tweet_id as passed_on_id, 'retweet_of_removed' as reason
    from {{ ref('tweets') }} where retweeted_tweet_id is not null
),

passed_on(tweet_id, reason, removed_id, observed_at, depth) as (
    select tweet_id, reason, removed_id, observed_at, 0 from direct
    union
    select l.tweet_id, l.reason, p.removed_id, p.observed_at, p.depth + 1
    from passed_on p
    join passes_on l on l.passed_on_id = p.tweet_id
    where p.depth < 20
),

ranked as (
    select *,
        case reason
            when 'deleted' then 1 when 'unavailable' then 2 when 'dropped' then 3 when 'withheld' then 5
            when 'retweet_of_removed' then 6 else 4
        end as priority
    from passed_on
)

select
    r.tweet_id,
    arg_min(r.reason, struct_pack(p := r.priority, d := r.depth)) as reason,
    arg_min(r.removed_id, struct_pack(p := r.priority, d := r.depth)) as removed_id,
    any_value(t.author_id) as author_id,
    coalesce(bool_or(t.removal_reason is not null), false) as text_removed,
    arg_min(r.observed_at, struct_pack(p := r.priority, d := r.depth)) as observed_at
from ranked r
left join {{ ref('tweets') }} t on t.tweet_id = r.tweet_id
group by r.tweet_id
