/*
model: staging.stg_x__tweet_user_lists
grain: one row per user listed on a landed liking_users or retweeted_by page
description: >
  The users X lists for one tweet at /2/tweets/:id/liking_users and /2/tweets/:id/retweeted_by.
  The tweet id comes from the endpoint the page was fetched from.
unique_key: [landing_file, line_no, item_no]
*/
with source as (
    select landing_file, line_no, retrieved_at, endpoint, users
    from staging.stg_x__pages
    where kind = 'users' and regexp_matches(endpoint, '/tweets/[0-9]+/(liking_users|retweeted_by)')
),

renamed as (
    select
        landing_file,
        line_no,
        generate_subscripts(users, 1) as item_no,
        regexp_extract(endpoint, '/tweets/([0-9]+)/', 1) as tweet_id,
        regexp_extract(endpoint, '/(liking_users|retweeted_by)', 1) as list_kind,
        unnest(users).id as user_id,
        retrieved_at as observed_at
    from source
)

select * from renamed
