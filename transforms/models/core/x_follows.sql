/*
model: core.x_follows
grain: one row per (follower, followed) edge
description: Follow edges known from X archives (follower.js, following.js).
unique_key: [follower_user_id, followed_user_id]
columns:
  follower_user_id: {description: "The following account.", tests: [not_null, {relationships: core.x_users.user_id}]}
  followed_user_id: {description: "The followed account.", tests: [not_null, {relationships: core.x_users.user_id}]}
  last_observed_at: {description: "When the edge was last seen."}
  source: {description: "Where the edge came from (x_archive).", tests: [not_null]}
*/
select follower_user_id, followed_user_id, max(observed_at) as last_observed_at, any_value(source) as source
from staging.stg_x__archive_follows
where follower_user_id is not null and followed_user_id is not null
group by all
