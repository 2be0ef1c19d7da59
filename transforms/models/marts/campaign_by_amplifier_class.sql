/*
model: marts.campaign_by_amplifier_class
grain: one row per (campaign, amplifier class), both classes always present
description: >
  The case study's comparison: what the heavyweights and the regular amplifiers each put in front
  of people, and the conversions credited to their sharing tweets (marts.conversion_attribution, so
  each conversion counts once). Conversions credited to the campaign's blog post, or to no post, are
  in neither class.
unique_key: [campaign, amplifier_class]
columns:
  campaign: {description: "The [[campaigns]] name.", tests: [not_null]}
  amplifier_class: {description: "heavyweight (followers >= metrics.heavyweight_followers) or regular, as in marts.campaign_amplifiers.", tests: [not_null, {accepted_values: [heavyweight, regular]}]}
  amplifiers: {description: "Amplifiers of that class (marts.campaign_amplifiers).", tests: [not_null]}
  sharing_tweets: {description: "Sharing tweets (link tweets, retweets, quotes) by amplifiers of that class.", tests: [not_null]}
  potential_impressions: {description: "Sum of the class's amplifiers' potential_impressions.", tests: [not_null]}
  credited_conversions: {description: "Conversions credited to sharing tweets by authors of that class (sum of credit).", tests: [not_null]}
  credited_amount: {description: "Their credited amount.", tests: [not_null]}
  impressions_per_conversion: {description: "potential_impressions / credited_conversions; null when no conversion is credited."}
*/
with classes as (
    select c.name as campaign, k.amplifier_class
    from meta.config_campaigns c
    cross join (values ('heavyweight'), ('regular')) k(amplifier_class)
),

amplifiers as (
    select campaign, size_class as amplifier_class, count(*) as amplifiers,
        sum(potential_impressions) as potential_impressions
    from marts.campaign_amplifiers
    group by all
),

tweets as (
    select s.campaign, a.size_class as amplifier_class, count(*) as sharing_tweets
    from marts.campaign_sharing_tweets s
    join marts.campaign_amplifiers a on a.campaign = s.campaign and a.user_id = s.author_id
    group by all
),

credited as (
    select campaign, amplifier_class, sum(credit) as credited_conversions, sum(credited_amount) as credited_amount
    from marts.conversion_attribution
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
