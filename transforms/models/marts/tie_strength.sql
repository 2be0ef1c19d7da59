/*
model: marts.tie_strength
grain: one row per (account, person) with at least one interaction between them by the reference time
description: >
  Real relationships. A friend is someone the account has directed at least two interactions at
  (Huberman, Romero and Wu 2008). tie_strength (0-1) is the weighted mean of seven terms after
  Gilbert and Karahalios (2009), where recency and intensity predict tie strength best:
  intensity = 1 - exp(-weighted interactions/10), recency = exp(-days since last/180), reciprocity,
  active days = 1 - exp(-active_days/5), duration = min(1, days first to last/365),
  channels = (channels - 1) capped at 1, frequency = days_per_week / 7. Weights come from
  metrics.tie_weights (default 0.30, 0.25, 0.15, 0.10, 0.10, 0.10, 0.10) and each interaction's
  weight in intensity from metrics.tie_interaction_weights (default 1). Classes use
  metrics.strong_tie_threshold and weak_tie_threshold. Each account's ties are ranked against
  Dunbar's number (150; Dunbar 1992, 1998).
unique_key: [account_person_id, person_id]
columns:
  account_person_id: {description: "The measured account's person.", tests: [not_null, {relationships: marts.accounts_in_scope.person_id}]}
  account_name: {description: "The account's name."}
  person_id: {description: "The other person.", tests: [not_null, {relationships: core.persons.person_id}]}
  display_name: {description: "The other person's name."}
  interactions_out: {description: "Interactions from the account to the person.", tests: [not_null]}
  interactions_in: {description: "Interactions from the person to the account.", tests: [not_null]}
  weighted_interactions: {description: "Interactions either way, each weighted by metrics.tie_interaction_weights of its kind (1 by default).", tests: [not_null, {expression: "weighted_interactions >= 0"}]}
  reciprocity: {description: "min(out, in) / max(out, in): 1 when balanced, 0 when one-way.", tests: [not_null]}
  active_days: {description: "Distinct UTC days with an interaction either way.", tests: [not_null]}
  first_at: {description: "First interaction.", tests: [not_null]}
  last_at: {description: "Last interaction.", tests: [not_null]}
  duration_days: {description: "Days from first to last interaction.", tests: [not_null]}
  recency_days: {description: "Days from the last interaction to the reference time.", tests: [not_null]}
  channels: {description: "Channels the two interact on (x, blog).", tests: [not_null]}
  days_per_week: {description: "Interaction frequency: active_days per week over the relationship's span (UTC days from the first to the last interaction, both counted, at least 7).", tests: [not_null, {expression: "days_per_week BETWEEN 0 AND 7"}]}
  is_friend: {description: "interactions_out >= 2 (Huberman et al. 2008).", tests: [not_null]}
  tie_strength: {description: "0-1, see the model description.", tests: [not_null, {expression: "tie_strength BETWEEN 0 AND 1"}]}
  tie_class: {description: "strong, weak or none.", tests: [not_null, {accepted_values: [strong, weak, none]}]}
  dunbar_rank: {description: "Rank of the tie among the account's ties, strongest first (ties broken by person_id): 1, 2, 3, ...", tests: [not_null, {expression: "dunbar_rank >= 1"}]}
  within_dunbar: {description: "dunbar_rank <= 150, Dunbar's number of stable relationships.", tests: [not_null]}
*/
with w as (select * from marts.analysis_window),

accounts as (select * from marts.accounts_in_scope),

tie_weights as (
    -- metrics.tie_weights, one column per term (meta.config_tie_weights has a row for each)
    select
        max(weight) filter (where term = 'intensity') as w_intensity,
        max(weight) filter (where term = 'recency') as w_recency,
        max(weight) filter (where term = 'reciprocity') as w_reciprocity,
        max(weight) filter (where term = 'active_days') as w_active_days,
        max(weight) filter (where term = 'duration') as w_duration,
        max(weight) filter (where term = 'channels') as w_channels,
        max(weight) filter (where term = 'frequency') as w_frequency
    from meta.config_tie_weights
),

directed as (
    select a.person_id as account_person_id, i.target_person_id as person_id, 'out' as direction, i.kind, i.channel, i.occurred_at
    from core.interactions i
    join accounts a on a.person_id = i.actor_person_id, w
    where i.occurred_at <= w.as_of
    union all
    select a.person_id, i.actor_person_id, 'in', i.kind, i.channel, i.occurred_at
    from core.interactions i
    join accounts a on a.person_id = i.target_person_id, w
    where i.occurred_at <= w.as_of and i.actor_person_id is not null
),

pairs as (
    select
        d.account_person_id,
        d.person_id,
        count(*) filter (where d.direction = 'out') as interactions_out,
        count(*) filter (where d.direction = 'in') as interactions_in,
        -- a kind the config does not name counts 1, as every interaction did before the weights
        sum(coalesce(k.weight, 1.0)) as weighted_interactions,
        count(distinct cast(d.occurred_at as date)) as active_days,
        min(d.occurred_at) as first_at,
        max(d.occurred_at) as last_at,
        max(cast(d.occurred_at as date)) - min(cast(d.occurred_at as date)) + 1 as span_days,
        count(distinct d.channel) as channels
    from directed d
    left join meta.config_tie_interaction_weights k on k.kind = d.kind
    group by all
),

measured as (
    select p.*,
        coalesce(least(interactions_out, interactions_in) / nullif(greatest(interactions_out, interactions_in), 0), 0) as reciprocity,
        date_diff('day', first_at, last_at) as duration_days,
        greatest(date_diff('day', last_at, w.as_of), 0) as recency_days,
        7.0 * active_days / greatest(span_days, 7) as days_per_week
    from pairs p, w
),

scored as (
    select m.*,
        (
            tw.w_intensity * (1 - exp(-weighted_interactions / 10.0))
            + tw.w_recency * exp(-recency_days / 180.0)
            + tw.w_reciprocity * reciprocity
            + tw.w_active_days * (1 - exp(-active_days / 5.0))
            + tw.w_duration * least(1.0, duration_days / 365.0)
            + tw.w_channels * least(1, channels - 1)
            + tw.w_frequency * days_per_week / 7.0
        ) / (tw.w_intensity + tw.w_recency + tw.w_reciprocity + tw.w_active_days + tw.w_duration + tw.w_channels + tw.w_frequency)
        as tie_strength
    from measured m, tie_weights tw
),

ranked as (
    select s.*,
        row_number() over (partition by s.account_person_id order by s.tie_strength desc, s.person_id) as dunbar_rank
    from scored s
)

select
    s.account_person_id,
    a.account_name,
    s.person_id,
    pe.display_name,
    s.interactions_out,
    s.interactions_in,
    s.weighted_interactions,
    s.reciprocity,
    s.active_days,
    s.first_at,
    s.last_at,
    s.duration_days,
    s.recency_days,
    s.channels,
    s.days_per_week,
    s.interactions_out >= 2 as is_friend,
    s.tie_strength,
    case
        when s.tie_strength >= w.strong_tie_threshold then 'strong'
        when s.tie_strength >= w.weak_tie_threshold then 'weak'
        else 'none'
    end as tie_class,
    s.dunbar_rank,
    s.dunbar_rank <= 150 as within_dunbar
from ranked s
join accounts a on a.person_id = s.account_person_id
left join core.persons pe on pe.person_id = s.person_id
cross join w
