/*
model: marts.campaign_conversions_by_tie
grain: one row per campaign and tie class (strong, weak, none), zero rows included
unique_key: [campaign, tie_class]
columns:
  campaign: {description: "The [[campaigns]] name.", tests: [not_null]}
  tie_class: {description: "The converters' tie with the owner.", tests: [not_null, {accepted_values: [strong, weak, none]}]}
  conversions: {description: "Conversions.", tests: [not_null]}
  amount: {description: "Their total amount.", tests: [not_null]}
  avg_amount: {description: "amount / conversions; null when there are none."}
  unmatched: {description: "Of the conversions, how many could not be matched to a person (counted under none).", tests: [not_null]}
*/
with classes as (
    select c.name as campaign, k.tie_class
    from meta.config_campaigns c
    cross join (values ('strong'), ('weak'), ('none')) as k(tie_class)
)

select
    k.campaign,
    k.tie_class,
    count(v.conversion_id) as conversions,
    coalesce(sum(v.amount), 0) as amount,
    avg(v.amount) as avg_amount,
    count(v.conversion_id) filter (where v.person_id is null) as unmatched
from classes k
left join marts.campaign_conversions v on v.campaign = k.campaign and v.tie_class = k.tie_class
group by k.campaign, k.tie_class
