/*
model: marts.follower_counts
grain: one row per X user, with followers at the reference time
description: >
  The follower snapshot closest to the reference time: the latest one at or before as_of, else the
  earliest one after it, else the count in the latest profile.
unique_key: [user_id]
columns:
  user_id: {description: "The X user.", tests: [not_null]}
  followers: {description: "Followers at the reference time (see above)."}
  observed_at: {description: "When that count was read; null when it came from the profile alone."}
*/
with w as (select as_of from marts.analysis_window),

ranked as (
    select m.user_id, m.followers, m.observed_at,
        row_number() over (
            partition by m.user_id
            order by (m.observed_at <= w.as_of) desc,
                     case when m.observed_at <= w.as_of then epoch(w.as_of - m.observed_at) else epoch(m.observed_at - w.as_of) end
        ) as pick
    from core.user_metrics m, w
    where m.followers is not null
)

select u.user_id, coalesce(r.followers, u.followers) as followers, r.observed_at
from core.x_users u
left join ranked r on r.user_id = u.user_id and r.pick = 1
