{{ config(materialized='table', schema='marts') }}

with classes as (
    select c.name as campaign, k.amplifier_class
    from {{ source('meta', 'config_campaigns') }} c
    cross join (values ('heavyweight'), ('regular')) k(amplifier_class)
),

amplifiers as (
    select campaign, size_class as amplifier_class, count(*) as amplifiers,
        sum(potential_impressions) as potential_impressions
    from {{ ref('campaign_amplifiers') }}
    group by all
),

tweets as (
    select s.campaign, a.size_class as amplifier_class, count(*) as sharing_tweets
    from {{ ref('campaign_sharing_tweets') }} s
    join {{ ref('campaign_amplifiers') }} a on a.campaign = s.campaign and a.user_id = s.author_id
    group by all
),

credited as (
    select campaign, amplifier_class, sum(credit) as credited_conversions, sum(credited_amount) as credited_amount
    from {{ ref('conversion_attribution') }}
    where channel = 'x'
    group by all
)

select
    k.campaign,
    k.amplifier_class,
    coalesce(a.amplifiers, 0) as amplifiers,
    coalesce(t.sharing_tweets, 0) as sharing_tweets,
    coalesce(a.potential_impressions, 0) as potential_impressions,
    coalesce(v.credited_conversions, 0) as credited_conversions,
    coalesce(v.credited_amount, 0) as credited_amount,
    coalesce(a.potential_impressions, 0) / nullif(coalesce(v.credited_conversions, 0), 0) as impressions_per_conversion
from classes k
left join amplifiers a using (campaign, amplifier_class)
left join tweets t using (campaign, amplifier_class)
left join credited v using (campaign, amplifier_class)
