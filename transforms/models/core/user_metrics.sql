/*
model: core.user_metrics
grain: one row per (user, observed_at), a snapshot of the user public metrics
unique_key: [user_id, observed_at]
columns:
  user_id: {description: "The X user.", tests: [not_null, {relationships: core.x_users.user_id}]}
  observed_at: {description: "When the profile was read.", tests: [not_null]}
  followers: {description: "followers_count at observed_at."}
  following: {description: "following_count at observed_at."}
  tweet_count: {description: "tweet_count at observed_at."}
  listed_count: {description: "listed_count at observed_at."}
  source: {description: "x_api or twarc.", tests: [not_null]}
*/
select user_id, observed_at, followers, following, tweet_count, listed_count, source
from staging.stg_x__api_users
where observed_at is not null and followers is not null
qualify row_number() over (partition by user_id, observed_at order by landing_file desc, line_no desc, item_no desc) = 1
