/*
model: marts.follower_counts
grain: one row per X user, with followers at the reference time
description: >
  The follower snapshot closest to the reference time: the latest one at or before as_of, else the
  earliest one after it, else the count in the latest profile. A removed user (core.removals) has no row.
unique_key: [user_id]
columns:
  user_id: {description: "The X user.", tests: [not_null]}
  followers: {description: "Followers at the reference time (see above)."}
  observed_at: {description: "When that count was read; null when it came from the profile alone."}
*/
with w as (select as_of from marts.analysis_window),

picked as (
    select m.user_id,
        arg_min(struct_pack(followers := m.followers, observed_at := m.observed_at),
                tiemeter_snapshot_rank(m.observed_at, w.as_of)) as snapshot
    from core.user_metrics m, w
    where m.followers is not null
    group by m.user_id
)

select u.user_id, coalesce(p.snapshot.followers, u.followers) as followers, p.snapshot.observed_at as observed_at
from core.x_users u
left join picked p on p.user_id = u.user_id
-- a removed user's content is in no mart
where u.user_id not in (select resource_id from core.removals where resource_type = 'user')
