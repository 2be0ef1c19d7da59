{{ config(materialized='table', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

campaigns as (
    select name, tiemeter_norm_url(url) as url_norm, query from {{ source('meta', 'config_campaigns') }}
),

tweets as (
    select t.* from {{ ref('tweets') }} t, w
    where t.created_at <= w.as_of and t.tweet_id not in (select tweet_id from {{ ref('removed_tweets') }})
),

linking as (
    select distinct c.name as campaign, t.tweet_id, t.author_id, t.created_at, t.is_retweet, t.retweeted_tweet_id
    from campaigns c
    join tweets t on (
        c.url_norm is not null and list_contains(list_transform(t.urls, u -> tiemeter_norm_url(u)), c.url_norm)
    ) or (
        c.url_norm is null and c.query is not null and contains(lower(t.text), lower(c.query))
    )
),

originals as (
    select campaign, tweet_id, author_id, created_at from linking where not is_retweet
),

passed_on as (
    select o.campaign, t.tweet_id, t.author_id,
        case when r.ref_type = 'retweeted' then 'retweet' else 'quote' end as share_kind,
        o.tweet_id as shared_tweet_id, t.created_at
    from originals o
    join {{ ref('tweet_refs') }} r on r.referenced_tweet_id = o.tweet_id and r.ref_type in ('retweeted', 'quoted')
    join tweets t on t.tweet_id = r.tweet_id
)

select campaign, tweet_id, author_id, 'link' as share_kind, cast(null as varchar) as shared_tweet_id, created_at
from originals
union all
select campaign, tweet_id, author_id, share_kind, shared_tweet_id, created_at from passed_on
where (campaign, tweet_id) not in (select campaign, tweet_id from originals)
union all
-- a retweet of a link tweet that was itself not collected still carries the link
select l.campaign, l.tweet_id, l.author_id, 'retweet', l.retweeted_tweet_id, l.created_at
from linking l
where l.is_retweet
  and (l.campaign, l.tweet_id) not in (select campaign, tweet_id from passed_on)
