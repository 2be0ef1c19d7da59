{{ config(materialized='table', schema='marts') }}

with w as (select as_of from {{ ref('analysis_window') }}),

picked as (
    select m.user_id,
        arg_min(struct_pack(followers := m.followers, observed_at := m.observed_at),
                tiemeter_snapshot_rank(m.observed_at, w.as_of)) as snapshot
    from {{ ref('user_metrics') }} m, w
    where m.followers is not null
    group by m.user_id
)

select u.user_id, coalesce(p.snapshot.followers, u.followers) as followers, p.snapshot.observed_at as observed_at
from {{ ref('x_users') }} u
left join picked p on p.user_id = u.user_id
-- a removed user's content is in no mart
where u.user_id not in (select resource_id from {{ ref('removals') }} where resource_type = 'user')
