/*
model: marts.tweet_followers
grain: one row per tweet posted by the reference time and not removed
description: >
  Each tweet's audience when it was posted: its author's followers at tweet time, from the follower
  snapshot in force then (the latest taken at or before created_at, else the earliest after it, as
  tiemeter_snapshot_rank orders them), else the count in the author's latest profile. Exposure
  (potential impressions) sums this over tweets; see docs/metrics.md.
unique_key: [tweet_id]
columns:
  tweet_id: {description: "The tweet.", tests: [not_null, unique, {relationships: core.tweets.tweet_id}]}
  author_id: {description: "Its author's X user id."}
  created_at: {description: "When it was posted."}
  author_followers: {description: "The author's followers at tweet time; 0 when never seen.", tests: [not_null]}
  followers_observed_at: {description: "When that follower count was read; null when it came from the profile alone (or is unknown)."}
*/
with w as (select as_of from marts.analysis_window),

tweets as (
    select t.tweet_id, t.author_id, t.created_at
    from core.tweets t, w
    where t.created_at <= w.as_of and t.tweet_id not in (select tweet_id from core.removed_tweets)
),

snapshots as (
    select user_id, observed_at, followers from core.user_metrics where followers is not null
),

-- ASOF joins pick the one nearest snapshot per tweet without a sort per row. They read core.tweets
-- unfiltered: behind a filter the planner underestimates the rows and falls back to a nested loop.
before as (
    select t.tweet_id, m.followers, m.observed_at
    from core.tweets t
    asof join snapshots m on t.author_id = m.user_id and t.created_at >= m.observed_at
),

after as (
    select t.tweet_id, m.followers, m.observed_at
    from core.tweets t
    asof join snapshots m on t.author_id = m.user_id and t.created_at <= m.observed_at
)

select
    t.tweet_id,
    t.author_id,
    t.created_at,
    coalesce(b.followers, a.followers, u.followers, 0) as author_followers,
    coalesce(b.observed_at, a.observed_at) as followers_observed_at
from tweets t
left join before b using (tweet_id)
left join after a using (tweet_id)
left join core.x_users u on u.user_id = t.author_id
