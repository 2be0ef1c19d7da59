/*
model: marts.engagement_edges
grain: one row per (window end, engager, engaged person)
description: >
  The engagement graph of each spread-score window: an edge engager -> engaged person, weighted by
  the number of interactions in (window_end - window_days, window_end]. Window ends are the
  reference time and the last instant of each of the 12 months before it.
unique_key: [window_end, source_person_id, target_person_id]
columns:
  window_end: {description: "End of the window.", tests: [not_null]}
  source_person_id: {description: "The engager.", tests: [not_null]}
  target_person_id: {description: "The person engaged with.", tests: [not_null]}
  weight: {description: "Interactions in the window.", tests: [not_null]}
*/
with w as (select * from marts.analysis_window),

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
join core.interactions i
  on i.occurred_at <= e.window_end and i.occurred_at > e.window_start
where i.actor_person_id is not null
group by all
