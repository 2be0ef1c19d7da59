{{ config(materialized='table', schema='marts') }}

with w as (select as_of from {{ ref('analysis_window') }}),

tweets as (
    select t.tweet_id, t.author_id, t.created_at
    from {{ ref('tweets') }} t, w
    where t.created_at <= w.as_of and t.tweet_id not in (select tweet_id from {{ ref('removed_tweets') }})
),

snapshots as (
    select user_id, observed_at, followers from {{ ref('user_metrics') }} where followers is not null
),

-- ASOF joins pick the one nearest snapshot per tweet without a sort per row. They read core.tweets
-- unfiltered: behind a filter the planner underestimates the rows and falls back to a nested loop.
before as (
    select t.tweet_id, m.followers, m.observed_at
    from {{ ref('tweets') }} t
    asof join snapshots m on t.author_id = m.user_id and t.created_at >= m.observed_at
),

after as (
    select t.tweet_id, m.followers, m.observed_at
    from {{ ref('tweets') }} t
    asof join snapshots m on t.author_id = m.user_id and t.created_at <= m.observed_at
)

select
    t.tweet_id,
    t.author_id,
    t.created_at,
    coalesce(b.followers, a.followers, u.followers, 0) as author_followers,
    coalesce(b.observed_at, a.observed_at) as followers_observed_at
from tweets t
left join before b using (tweet_id)
left join after a using (tweet_id)
left join {{ ref('x_users') }} u on u.user_id = t.author_id
