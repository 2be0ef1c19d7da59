{{ config(materialized='table', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

tweets as (
    select campaign, count(*) as sharing_tweets from {{ ref('campaign_sharing_tweets') }} group by 1
),

sharers as (
    -- each amplifier's shares: all of them count for exposure, the amplifier once for reach
    select s.campaign, s.user_id, a.size_class, sum(s.followers) as impressions, max(s.followers) as reach
    from {{ ref('campaign_shares') }} s
    join {{ ref('campaign_amplifiers') }} a using (campaign, user_id)
    group by all
),

amplifiers as (
    select campaign,
        count(*) as amplifiers,
        count(*) filter (where size_class = 'heavyweight') as heavyweight_amplifiers,
        sum(impressions) as potential_impressions,
        sum(reach) as potential_reach,
        coalesce(sum(impressions) filter (where size_class = 'heavyweight'), 0) as heavyweight_potential_impressions,
        coalesce(sum(reach) filter (where size_class = 'heavyweight'), 0) as heavyweight_potential_reach
    from sharers
    group by 1
),

engaged as (
    select s.campaign, count(distinct i.actor_person_id) as engagers, count(*) as engagements
    from {{ ref('campaign_sharing_tweets') }} s
    join {{ ref('interactions') }} i on i.post_id = s.tweet_id and i.kind in ('reply', 'retweet', 'quote', 'like'), w
    where i.occurred_at <= w.as_of
    group by 1
),

converted as (
    select campaign, count(*) as conversions, sum(amount) as conversion_amount,
        count(*) filter (where via_heavyweights_only) as conversions_via_heavyweights
    from {{ ref('campaign_conversions') }}
    group by 1
)

select
    c.name as campaign,
    c.url,
    c.owner,
    coalesce(t.sharing_tweets, 0) as sharing_tweets,
    coalesce(a.amplifiers, 0) as amplifiers,
    coalesce(a.heavyweight_amplifiers, 0) as heavyweight_amplifiers,
    coalesce(a.potential_impressions, 0) as potential_impressions,
    coalesce(a.potential_reach, 0) as potential_reach,
    coalesce(a.heavyweight_potential_impressions, 0) as heavyweight_potential_impressions,
    coalesce(a.heavyweight_potential_reach, 0) as heavyweight_potential_reach,
    coalesce(e.engagers, 0) as engagers,
    coalesce(e.engagements, 0) as engagements,
    coalesce(v.conversions, 0) as conversions,
    coalesce(v.conversion_amount, 0) as conversion_amount,
    coalesce(v.conversions_via_heavyweights, 0) as conversions_via_heavyweights,
    coalesce(v.conversions, 0) * 1e6 / nullif(a.potential_impressions, 0) as conversions_per_million_impressions
from {{ source('meta', 'config_campaigns') }} c
left join tweets t on t.campaign = c.name
left join amplifiers a on a.campaign = c.name
left join engaged e on e.campaign = c.name
left join converted v on v.campaign = c.name
