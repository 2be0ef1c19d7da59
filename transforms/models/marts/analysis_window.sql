{{ config(materialized='table', schema='marts') }}

with removed as (select tweet_id from {{ ref('removed_tweets') }}),

campaigns as (
    select name, tiemeter_norm_url(url) as url_norm, query from {{ source('meta', 'config_campaigns') }}
),

campaign_tweets as (
    select t.tweet_id, t.created_at
    from {{ ref('tweets') }} t, campaigns c
    where t.tweet_id not in (select tweet_id from removed)
      and ((c.url_norm is not null and list_contains(list_transform(t.urls, u -> tiemeter_norm_url(u)), c.url_norm))
        or (c.url_norm is null and c.query is not null and contains(lower(t.text), lower(c.query))))
),

configured_events as (
    -- tweets by the configured accounts
    select max(t.created_at) as event_at
    from {{ ref('tweets') }} t
    join {{ ref('accounts') }} a on a.x_user_id = t.author_id
    where t.tweet_id not in (select tweet_id from removed)
    union all
    -- interactions by them, and at them (replies, mentions, retweets, likes, comments, link shares)
    select max(i.occurred_at) from {{ ref('interactions') }} i join {{ ref('accounts') }} a on a.person_id = i.actor_person_id
    union all
    select max(i.occurred_at) from {{ ref('interactions') }} i join {{ ref('accounts') }} a on a.person_id = i.target_person_id
    union all
    -- posts and comments on the configured blogs
    select max(p.published_at) from {{ ref('blog_posts') }} p join {{ source('meta', 'config_blogs') }} b on b.name = p.site
    union all
    select max(c.published_at) from {{ ref('blog_comments') }} c join {{ source('meta', 'config_blogs') }} b on b.name = c.site
    union all
    -- the campaigns' sharing tweets, and the tweets that answer, retweet or quote them
    select max(created_at) from campaign_tweets
    union all
    select max(t.created_at)
    from {{ ref('tweet_refs') }} r
    join campaign_tweets c on c.tweet_id = r.referenced_tweet_id
    join {{ ref('tweets') }} t on t.tweet_id = r.tweet_id
    where t.tweet_id not in (select tweet_id from removed)
    union all
    -- conversions credited to a campaign
    select max(v.occurred_at) from {{ ref('conversions') }} v join campaigns c on c.name = v.campaign
),

events as (
    select max(created_at) as event_at from {{ ref('tweets') }}
    union all
    select max(published_at) from {{ ref('blog_comments') }}
    union all
    select max(published_at) from {{ ref('blog_posts') }}
    union all
    select max(occurred_at) from {{ ref('conversions') }}
),

latest as (
    select
        (select max(event_at) from configured_events) as configured_at,
        coalesce((select max(event_at) from events), timestamptz '1970-01-01 00:00:00+00') as event_at
),

reference as (
    select
        coalesce(m.as_of, latest.configured_at, latest.event_at) as as_of,
        case when m.as_of is not null then 'config'
             when latest.configured_at is not null then 'configured_activity'
             else 'latest_event' end as as_of_source,
        m.* exclude (as_of)
    from (select * from {{ source('meta', 'config_metrics') }} limit 1) m, latest
)

select
    r.as_of,
    r.as_of_source,
    r.window_days,
    r.as_of - to_days(r.window_days) as window_start,
    r.heavyweight_followers,
    r.strong_tie_threshold,
    r.weak_tie_threshold,
    r.w_true_reach,
    r.w_amplification,
    r.w_network_impact
from reference r
