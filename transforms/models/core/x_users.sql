/*
model: core.x_users
grain: one row per X user id; the latest profile wins
description: >
  Every X user seen: with a profile (users pages, includes, twarc's inlined users) or only by id
  (a tweet's author, a mention, a replied-to user, an archive follow edge). has_profile tells which.
  A user removed by a compliance event (core.removals) keeps the row, without the profile's texts.
unique_key: [user_id]
columns:
  user_id: {description: "X user id.", tests: [not_null, unique]}
  username: {description: "The latest @username seen (profile first, then mentions)."}
  display_name: {description: "The latest display name."}
  description: {description: "The latest bio."}
  location: {description: "The latest free-text location."}
  url: {description: "The latest profile URL."}
  created_at: {description: "When the account was created."}
  verified: {description: "Legacy verified flag, as last seen."}
  verified_type: {description: "blue, business, government or none, as last seen."}
  protected: {description: "The account is protected, as last seen."}
  profile_image_url: {description: "The latest avatar URL."}
  followers: {description: "followers_count in the latest profile."}
  following: {description: "following_count in the latest profile."}
  tweet_count: {description: "tweet_count in the latest profile."}
  listed_count: {description: "listed_count in the latest profile."}
  is_withheld: {description: "X reported the account withheld in some countries.", tests: [not_null]}
  has_profile: {description: "True when a profile object was seen, false for users known only by id.", tests: [not_null]}
  profile_observed_at: {description: "When the winning profile was retrieved."}
  removal_reason: {description: "Null, or why the user's content is removed (core.removals: deleted, suspended, protected or withheld, while no reversal followed). For all but withheld the profile's texts and image (display_name, description, location, url, profile_image_url) are null; the id and username stay.", tests: [{accepted_values: [deleted, suspended, protected, withheld]}]}
*/
with profiles as (
    select *
    from staging.stg_x__api_users
    qualify row_number() over (
        partition by user_id
        order by observed_at desc nulls last, (followers is not null) desc, landing_file desc, line_no desc, item_no desc
    ) = 1
),

observations as (
    select author_id as user_id, null as username, observed_at from staging.stg_x__api_tweets
    union all
    select in_reply_to_user_id, null, observed_at from staging.stg_x__api_tweets
    union all
    select author_id, null, observed_at from staging.stg_x__archive_tweets
    union all
    select in_reply_to_user_id, null, observed_at from staging.stg_x__archive_tweets
    union all
    select m.user_id, m.username, observed_at
    from (select unnest(mentions) as m, observed_at from staging.stg_x__api_tweets)
    union all
    select m.user_id, m.username, observed_at
    from (select unnest(mentions) as m, observed_at from staging.stg_x__archive_tweets)
    union all
    select follower_user_id, null, observed_at from staging.stg_x__archive_follows
    union all
    select followed_user_id, null, observed_at from staging.stg_x__archive_follows
),

sightings as (
    select user_id, arg_max(username, observed_at) filter (where username is not null) as username
    from observations
    where user_id is not null
    group by user_id
),

all_ids as (
    select user_id from sightings
    union
    select user_id from profiles
)

select
    all_ids.user_id,
    coalesce(p.username, s.username) as username,
    case when r.removes_text is not true then p.display_name end as display_name,
    case when r.removes_text is not true then p.description end as description,
    case when r.removes_text is not true then p.location end as location,
    case when r.removes_text is not true then p.url end as url,
    p.created_at,
    p.verified,
    p.verified_type,
    p.protected,
    case when r.removes_text is not true then p.profile_image_url end as profile_image_url,
    p.followers,
    p.following,
    p.tweet_count,
    p.listed_count,
    coalesce(p.is_withheld, false) as is_withheld,
    p.user_id is not null as has_profile,
    p.observed_at as profile_observed_at,
    r.reason as removal_reason
from all_ids
left join profiles p on p.user_id = all_ids.user_id
left join core.removals r on r.resource_type = 'user' and r.resource_id = all_ids.user_id
left join sightings s on s.user_id = all_ids.user_id
