{{ config(materialized='table', schema='marts') }}

with accounts as (select * from {{ ref('accounts_in_scope') }}),

account_followers as (
    select a.person_id, max(f.followers) as followers
    from accounts a
    join {{ ref('identities') }} i on i.person_id = a.person_id and i.identity_kind = 'x_user'
    join {{ ref('follower_counts') }} f on f.user_id = i.x_user_id
    group by a.person_id
),

day_shares as (
    -- a share of two of the day's posts (a quote is a post and a share of the quoted post) counts once
    select distinct a.person_id, cast(p.posted_at as date) as day, s.share_id, s.user_id, s.followers
    from {{ ref('post_reach_engagement') }} p
    join accounts a on a.person_id = p.author_person_id
    join {{ ref('post_shares') }} s on s.post_id = p.post_id
),

day_exposure as (
    select person_id, day, sum(impressions) as potential_impressions, sum(reach) as potential_reach
    from (
        select person_id, day, user_id, sum(followers) as impressions, max(followers) as reach
        from day_shares
        group by all
    )
    group by all
)

select
    a.person_id,
    a.account_name,
    cast(p.posted_at as date) as day,
    f.followers,
    count(*) as posts,
    coalesce(e.potential_impressions, 0) as potential_impressions,
    coalesce(e.potential_reach, 0) as potential_reach,
    sum(p.engagements) as engagements,
    sum(p.engagements) / nullif(f.followers * count(*), 0) as engagement_rate,
    sum(p.replies + p.comments) / count(*) as conversation_rate,
    sum(p.retweets + p.quotes) / count(*) as amplification_rate,
    sum(p.likes) / count(*) as applause_rate,
    sum(p.conversions) as conversions,
    sum(p.conversion_amount) as conversion_amount
from {{ ref('post_reach_engagement') }} p
join accounts a on a.person_id = p.author_person_id
left join account_followers f on f.person_id = a.person_id
left join day_exposure e on e.person_id = a.person_id and e.day = cast(p.posted_at as date)
group by a.person_id, a.account_name, cast(p.posted_at as date), f.followers, e.potential_impressions, e.potential_reach
