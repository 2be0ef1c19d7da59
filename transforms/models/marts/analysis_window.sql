/*
model: marts.analysis_window
grain: one row per build (the reference time and the settings every mart uses)
description: >
  The reference time: metrics.as_of from the config, else the latest event in the data (tweet,
  comment, post or conversion). Recency, windows and "days since" are measured from it, never from
  the wall clock, so a 2012 campaign analysed today gives the answer it gave in 2012.
unique_key: [as_of]
columns:
  as_of: {description: "The reference time.", tests: [not_null]}
  as_of_source: {description: "config or latest_event.", tests: [not_null, {accepted_values: [config, latest_event]}]}
  window_days: {description: "Length of the spread-score window in days (default 90).", tests: [not_null]}
  window_start: {description: "as_of minus window_days.", tests: [not_null]}
  heavyweight_followers: {description: "Followers from which an amplifier is a heavyweight (default 100,000).", tests: [not_null]}
  strong_tie_threshold: {description: "tie_strength from which a tie is strong.", tests: [not_null]}
  weak_tie_threshold: {description: "tie_strength from which a tie is weak.", tests: [not_null]}
  w_true_reach: {description: "Weight of true reach in the spread score.", tests: [not_null]}
  w_amplification: {description: "Weight of amplification in the spread score.", tests: [not_null]}
  w_network_impact: {description: "Weight of network impact in the spread score.", tests: [not_null]}
*/
with events as (
    select max(created_at) as event_at from core.tweets
    union all
    select max(published_at) from core.blog_comments
    union all
    select max(published_at) from core.blog_posts
    union all
    select max(occurred_at) from core.conversions
),

latest as (
    select coalesce(max(event_at), timestamptz '1970-01-01 00:00:00+00') as event_at from events
)

select
    coalesce(m.as_of, latest.event_at) as as_of,
    case when m.as_of is not null then 'config' else 'latest_event' end as as_of_source,
    m.window_days,
    coalesce(m.as_of, latest.event_at) - to_days(m.window_days) as window_start,
    m.heavyweight_followers,
    m.strong_tie_threshold,
    m.weak_tie_threshold,
    m.w_true_reach,
    m.w_amplification,
    m.w_network_impact
from (select * from meta.config_metrics limit 1) m, latest
