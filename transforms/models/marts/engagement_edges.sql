{{ config(materialized='table', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

ends as (
    select window_end, window_end - to_days(w.window_days) as window_start
    from (
        select w.as_of as window_end from w
        union
        select date_trunc('month', w.as_of) - to_months(n - 1) - interval 1 microsecond
        from w, range(1, 13) as t(n)
    ), w
)

select e.window_end, i.actor_person_id as source_person_id, i.target_person_id, count(*) as weight
from ends e
join {{ ref('interactions') }} i
  on i.occurred_at <= e.window_end and i.occurred_at > e.window_start
where i.actor_person_id is not null
group by all
