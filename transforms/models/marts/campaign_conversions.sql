/*
model: marts.campaign_conversions
grain: one row per conversion attributed to a campaign
description: >
  Where each campaign conversion came from. tie_class is the converter's tie with the campaign
  owner (none when unmatched or without a tie). A converter's paths to the campaign: a tie with the
  owner (any interaction either way by the reference time), engaging with the owner's or a regular
  amplifier's sharing tweet, sharing it themselves (an original tweet of the URL), or engaging with a
  heavyweight's sharing tweet. A retweet or quote of a sharing tweet is engagement with that tweet's
  author, not a share of one's own. via_heavyweights_only: the last was the only path.
unique_key: [conversion_id]
columns:
  campaign: {description: "The [[campaigns]] name.", tests: [not_null]}
  conversion_id: {description: "The conversion.", tests: [not_null, {relationships: core.conversions.conversion_id}]}
  person_id: {description: "The converter's person, when matched."}
  amount: {description: "Amount.", tests: [not_null]}
  currency: {description: "Currency."}
  occurred_at: {description: "When.", tests: [not_null]}
  tie_class: {description: "strong, weak or none.", tests: [not_null, {accepted_values: [strong, weak, none]}]}
  tie_strength: {description: "The converter's tie strength with the owner (0 when no tie)."}
  has_owner_tie: {description: "Any interaction with the owner, either way.", tests: [not_null]}
  engaged_heavyweight: {description: "Engaged with (replied to, retweeted, quoted, liked) a heavyweight's sharing tweet.", tests: [not_null]}
  engaged_regular: {description: "Engaged with the owner's or a regular amplifier's sharing tweet.", tests: [not_null]}
  shared_it: {description: "Tweeted the URL in an original tweet of their own (retweets and quotes of sharing tweets are engagement, not shares).", tests: [not_null]}
  via_heavyweights_only: {description: "The only path was a heavyweight's sharing tweet.", tests: [not_null]}
*/
with w as (select * from marts.analysis_window),

owners as (
    select c.name as campaign, a.person_id as owner_person_id
    from meta.config_campaigns c
    left join core.accounts a on a.account_name = c.owner
),

conversions as (
    select c.*, o.owner_person_id
    from core.conversions c
    join owners o on o.campaign = c.campaign, w
    where c.occurred_at <= w.as_of
),

sharing as (
    select s.campaign, s.tweet_id, a.size_class, a.is_owner
    from marts.campaign_sharing_tweets s
    join marts.campaign_amplifiers a on a.campaign = s.campaign and a.user_id = s.author_id
),

engagement as (
    select s.campaign, i.actor_person_id as person_id,
        bool_or(s.size_class = 'heavyweight' and not s.is_owner) as heavy,
        bool_or(s.size_class = 'regular' or s.is_owner) as regular
    from core.interactions i
    join sharing s on s.tweet_id = i.post_id, w
    where i.occurred_at <= w.as_of and i.actor_person_id is not null
    group by all
),

owner_ties as (
    select c.conversion_id
    from conversions c
    join core.interactions i
      on (i.actor_person_id = c.person_id and i.target_person_id = c.owner_person_id)
      or (i.actor_person_id = c.owner_person_id and i.target_person_id = c.person_id), w
    where i.occurred_at <= w.as_of
    group by 1
),

-- only an original tweet of the URL is a share of one's own: a retweet or quote of a sharing tweet
-- is engagement with that tweet's author (counted in engagement above)
sharers as (
    select distinct s.campaign, i.person_id
    from marts.campaign_sharing_tweets s
    join core.identities i on i.identity_key = 'x:' || s.author_id
    where s.share_kind = 'link'
)

select
    c.campaign,
    c.conversion_id,
    c.person_id,
    c.amount,
    c.currency,
    c.occurred_at,
    coalesce(t.tie_class, 'none') as tie_class,
    coalesce(t.tie_strength, 0) as tie_strength,
    ot.conversion_id is not null as has_owner_tie,
    coalesce(e.heavy, false) as engaged_heavyweight,
    coalesce(e.regular, false) as engaged_regular,
    sh.person_id is not null as shared_it,
    coalesce(e.heavy, false) and not coalesce(e.regular, false) and ot.conversion_id is null and sh.person_id is null
        as via_heavyweights_only
from conversions c
left join marts.tie_strength t on t.account_person_id = c.owner_person_id and t.person_id = c.person_id
left join owner_ties ot on ot.conversion_id = c.conversion_id
left join engagement e on e.campaign = c.campaign and e.person_id = c.person_id
left join sharers sh on sh.campaign = c.campaign and sh.person_id = c.person_id
