{{ config(materialized='table', schema='marts') }}

with w as (select as_of, heavyweight_followers from {{ ref('analysis_window') }}),

settings as (
    select attribution_rule as rule, attribution_lookback_days as lookback_days
    from {{ source('meta', 'config_metrics') }}
    limit 1
),

conversions as (
    select c.conversion_id, c.campaign, c.person_id, c.occurred_at, c.amount, c.currency
    from {{ ref('conversions') }} c, w
    where c.occurred_at <= w.as_of
),

-- what a converter can touch: each campaign's sharing tweets, and the campaign's own blog post
campaign_posts as (
    select campaign, tweet_id as post_id, 'x' as channel from {{ ref('campaign_sharing_tweets') }}
    union
    select k.name, p.post_id, 'blog'
    from {{ source('meta', 'config_campaigns') }} k
    join {{ ref('blog_posts') }} p on tiemeter_norm_url(p.url) = tiemeter_norm_url(k.url)
),

touches as (
    select c.conversion_id, p.campaign, i.post_id, p.channel, i.occurred_at as touched_at, i.interaction_id
    from conversions c
    join {{ ref('interactions') }} i on i.actor_person_id = c.person_id
    join campaign_posts p on p.post_id = i.post_id and p.channel = i.channel, settings s
    where (
            (p.channel = 'x' and i.kind in ('reply', 'retweet', 'quote', 'like'))
            or (p.channel = 'blog' and i.kind in ('comment', 'comment_reply'))
        )
      and (c.campaign is null or c.campaign = p.campaign)
      and epoch(i.occurred_at) <= epoch(c.occurred_at)
      and epoch(c.occurred_at) - epoch(i.occurred_at) <= s.lookback_days * 86400
    -- a post shared by two campaigns is touched once, for the first campaign by name
    qualify row_number() over (partition by c.conversion_id, i.interaction_id order by p.campaign) = 1
),

ranked as (
    select t.*,
        count(*) over (partition by conversion_id) as touches,
        row_number() over (partition by conversion_id order by touched_at desc, post_id, interaction_id) as from_last,
        row_number() over (partition by conversion_id order by touched_at, post_id, interaction_id) as from_first
    from touches t
),

credited as (
    select r.conversion_id, r.campaign, r.post_id, r.channel,
        max(r.touched_at) as touched_at,
        max(r.touches) as touches,
        case when s.rule = 'linear' then count(*) / max(r.touches) else 1 end::double as credit
    from ranked r, settings s
    where s.rule = 'linear'
       or (s.rule = 'last_touch' and r.from_last = 1)
       or (s.rule = 'first_touch' and r.from_first = 1)
    group by r.conversion_id, r.campaign, r.post_id, r.channel, s.rule
),

tweet_authors as (
    select t.tweet_id as post_id, t.author_id as author_user_id, i.person_id as author_person_id
    from {{ ref('tweets') }} t
    left join {{ ref('identities') }} i on i.identity_key = 'x:' || t.author_id
    where t.tweet_id in (select post_id from credited where channel = 'x')
),

blog_authors as (
    select p.post_id, i.person_id as author_person_id,
        (select min(xi.x_user_id) from {{ ref('identities') }} xi
         where xi.person_id = i.person_id and xi.identity_kind = 'x_user') as author_user_id
    from {{ ref('blog_posts') }} p
    left join {{ ref('identities') }} i
      on i.identity_key = 'blog:' || p.site || ':author:' || lower(trim(coalesce(p.author_name, '')))
    where p.post_id in (select post_id from credited where channel = 'blog')
),

authors as (
    select post_id, 'x' as channel, author_person_id, author_user_id from tweet_authors
    union all
    select post_id, 'blog', author_person_id, author_user_id from blog_authors
)

select
    c.conversion_id,
    coalesce(c.campaign, k.campaign) as campaign,
    c.person_id,
    c.occurred_at as converted_at,
    c.amount,
    c.currency,
    s.rule,
    s.lookback_days,
    coalesce(k.touches, 0) as touches,
    k.post_id,
    k.channel,
    a.author_person_id,
    a.author_user_id,
    case
        when k.post_id is null then null
        when ca.size_class is not null then ca.size_class
        when coalesce(f.followers, 0) >= w.heavyweight_followers then 'heavyweight'
        else 'regular'
    end as amplifier_class,
    k.touched_at,
    coalesce(k.credit, 0) as credit,
    c.amount * coalesce(k.credit, 0) as credited_amount
from conversions c
cross join settings s
cross join w
left join credited k on k.conversion_id = c.conversion_id
left join authors a on a.post_id = k.post_id and a.channel = k.channel
left join {{ ref('campaign_amplifiers') }} ca on ca.campaign = k.campaign and ca.user_id = a.author_user_id
left join {{ ref('follower_counts') }} f on f.user_id = a.author_user_id
