/*
model: marts.tie_strength
grain: one row per (account, person) with at least one interaction between them by the reference time
description: >
  Real relationships. A friend is someone the account has directed at least two interactions at
  (Huberman, Romero and Wu 2008). tie_strength (0-1) is a weighted sum after Gilbert and
  Karahalios (2009), where recency and frequency predict tie strength best:
  0.30 frequency + 0.25 recency + 0.15 reciprocity + 0.10 active days + 0.10 duration + 0.10 channels,
  with frequency = 1 - exp(-interactions/10), recency = exp(-days since last/180),
  active days = 1 - exp(-active_days/5), duration = min(1, days first to last/365),
  channels = (channels - 1) capped at 1. Classes use metrics.strong_tie_threshold and weak_tie_threshold.
unique_key: [account_person_id, person_id]
columns:
  account_person_id: {description: "The measured account's person.", tests: [not_null, {relationships: marts.accounts_in_scope.person_id}]}
  account_name: {description: "The account's name."}
  person_id: {description: "The other person.", tests: [not_null, {relationships: core.persons.person_id}]}
  display_name: {description: "The other person's name."}
  interactions_out: {description: "Interactions from the account to the person.", tests: [not_null]}
  interactions_in: {description: "Interactions from the person to the account.", tests: [not_null]}
  reciprocity: {description: "min(out, in) / max(out, in): 1 when balanced, 0 when one-way.", tests: [not_null]}
  active_days: {description: "Distinct UTC days with an interaction either way.", tests: [not_null]}
  first_at: {description: "First interaction.", tests: [not_null]}
  last_at: {description: "Last interaction.", tests: [not_null]}
  duration_days: {description: "Days from first to last interaction.", tests: [not_null]}
  recency_days: {description: "Days from the last interaction to the reference time.", tests: [not_null]}
  channels: {description: "Channels the two interact on (x, blog).", tests: [not_null]}
  is_friend: {description: "interactions_out >= 2 (Huberman et al. 2008).", tests: [not_null]}
  tie_strength: {description: "0-1, see the model description.", tests: [not_null, {expression: "tie_strength BETWEEN 0 AND 1"}]}
  tie_class: {description: "strong, weak or none.", tests: [not_null, {accepted_values: [strong, weak, none]}]}
*/
with w as (select * from marts.analysis_window),

accounts as (select * from marts.accounts_in_scope),

directed as (
    select a.person_id as account_person_id, i.target_person_id as person_id, 'out' as direction, i.channel, i.occurred_at
    from core.interactions i
    join accounts a on a.person_id = i.actor_person_id, w
    where i.occurred_at <= w.as_of
    union all
    select a.person_id, i.actor_person_id, 'in', i.channel, i.occurred_at
    from core.interactions i
    join accounts a on a.person_id = i.target_person_id, w
    where i.occurred_at <= w.as_of and i.actor_person_id is not null
),

pairs as (
    select
        account_person_id,
        person_id,
        count(*) filter (where direction = 'out') as interactions_out,
        count(*) filter (where direction = 'in') as interactions_in,
        count(distinct cast(occurred_at as date)) as active_days,
        min(occurred_at) as first_at,
        max(occurred_at) as last_at,
        count(distinct channel) as channels
    from directed
    group by all
),

measured as (
    select p.*,
        coalesce(least(interactions_out, interactions_in) / nullif(greatest(interactions_out, interactions_in), 0), 0) as reciprocity,
        date_diff('day', first_at, last_at) as duration_days,
        greatest(date_diff('day', last_at, w.as_of), 0) as recency_days
    from pairs p, w
),

scored as (
    select m.*,
        0.30 * (1 - exp(-(interactions_out + interactions_in) / 10.0))
        + 0.25 * exp(-recency_days / 180.0)
        + 0.15 * reciprocity
        + 0.10 * (1 - exp(-active_days / 5.0))
        + 0.10 * least(1.0, duration_days / 365.0)
        + 0.10 * least(1, channels - 1) as tie_strength
    from measured m
)

select
    s.account_person_id,
    a.account_name,
    s.person_id,
    pe.display_name,
    s.interactions_out,
    s.interactions_in,
    s.reciprocity,
    s.active_days,
    s.first_at,
    s.last_at,
    s.duration_days,
    s.recency_days,
    s.channels,
    s.interactions_out >= 2 as is_friend,
    s.tie_strength,
    case
        when s.tie_strength >= w.strong_tie_threshold then 'strong'
        when s.tie_strength >= w.weak_tie_threshold then 'weak'
        else 'none'
    end as tie_class
from scored s
join accounts a on a.person_id = s.account_person_id
left join core.persons pe on pe.person_id = s.person_id
cross join w
