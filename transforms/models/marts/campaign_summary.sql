/*
model: marts.campaign_summary
grain: one row per campaign
description: >
  The case study's table for each campaign: how far it reached, through whom, and where the
  conversions came from.
unique_key: [campaign]
columns:
  campaign: {description: "The [[campaigns]] name.", tests: [not_null, unique]}
  url: {description: "The campaign URL."}
  owner: {description: "The owning [[accounts]] name."}
  sharing_tweets: {description: "Tweets sharing it (link tweets, their retweets and quotes).", tests: [not_null]}
  amplifiers: {description: "Distinct accounts that shared it.", tests: [not_null]}
  heavyweight_amplifiers: {description: "Of those, heavyweights.", tests: [not_null]}
  potential_impressions: {description: "Exposure: the sum, over every share (marts.campaign_shares), of the sharer's followers at tweet time. Two tweets by a 500k account count 1M.", tests: [not_null]}
  potential_reach: {description: "The followers of the distinct accounts that shared it, each account once (at the largest count it had when sharing).", tests: [not_null, {expression: "potential_reach <= potential_impressions"}]}
  heavyweight_potential_impressions: {description: "The part of potential_impressions from heavyweights' shares (the case study's \"3 million impressions\").", tests: [not_null]}
  heavyweight_potential_reach: {description: "The part of potential_reach from heavyweights.", tests: [not_null]}
  engagers: {description: "Distinct people who replied to, retweeted, quoted or liked a sharing tweet.", tests: [not_null]}
  engagements: {description: "Their interactions with sharing tweets.", tests: [not_null]}
  conversions: {description: "Conversions attributed to the campaign.", tests: [not_null]}
  conversion_amount: {description: "Their total amount.", tests: [not_null]}
  conversions_via_heavyweights: {description: "Conversions whose only path to the campaign was a heavyweight's sharing tweet.", tests: [not_null]}
  conversions_per_million_impressions: {description: "conversions / potential_impressions x 1,000,000."}
*/
with w as (select * from marts.analysis_window),

tweets as (
    select campaign, count(*) as sharing_tweets from marts.campaign_sharing_tweets group by 1
),

sharers as (
    -- each amplifier's shares: all of them count for exposure, the amplifier once for reach
    select s.campaign, s.user_id, a.size_class, sum(s.followers) as impressions, max(s.followers) as reach
    from marts.campaign_shares s
    join marts.campaign_amplifiers a using (campaign, user_id)
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
    from marts.campaign_sharing_tweets s
    join core.interactions i on i.post_id = s.tweet_id and i.kind in ('reply', 'retweet', 'quote', 'like'), w
    where i.occurred_at <= w.as_of
    group by 1
),

converted as (
    select campaign, count(*) as conversions, sum(amount) as conversion_amount,
        count(*) filter (where via_heavyweights_only) as conversions_via_heavyweights
    from marts.campaign_conversions
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
from meta.config_campaigns c
left join tweets t on t.campaign = c.name
left join amplifiers a on a.campaign = c.name
left join engaged e on e.campaign = c.name
left join converted v on v.campaign = c.name
