{{ config(materialized='table', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

accounts as (select * from {{ ref('accounts_in_scope') }}),

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
    from {{ source('meta', 'config_tie_weights') }}
),

directed as (
    select a.person_id as account_person_id, i.target_person_id as person_id, 'out' as direction, i.kind, i.channel, i.occurred_at
    from {{ ref('interactions') }} i
    join accounts a on a.person_id = i.actor_person_id, w
    where i.occurred_at <= w.as_of
    union all
    select a.person_id, i.actor_person_id, 'in', i.kind, i.channel, i.occurred_at
    from {{ ref('interactions') }} i
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
    left join {{ source('meta', 'config_tie_interaction_weights') }} k on k.kind = d.kind
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
left join {{ ref('persons') }} pe on pe.person_id = s.person_id
cross join w
