/*
model: staging.stg_x__tweet_user_lists
grain: one row per user listed on a landed liking_users or retweeted_by page of a known tweet
description: >
  The users X lists for one tweet at /2/tweets/:id/liking_users and /2/tweets/:id/retweeted_by.
  The tweet id is the one the request named: the collector's stamp (`tweet_id`, else the concrete
  `path` it sent), or for twarc lines the path of the URL twarc recorded. A page whose provenance
  holds only the endpoint template (/2/tweets/:id/liking_users) and no concrete request cannot be
  attributed to a tweet and is left out: it names no tweet to credit the likes or retweets to.
unique_key: [landing_file, line_no, item_no]
*/
with source as (
    select landing_file, line_no, retrieved_at, endpoint, request_path, request_tweet_id, users
    from staging.stg_x__pages
    where kind = 'users' and regexp_matches(endpoint, '/tweets/([0-9]+|:id)/(liking_users|retweeted_by)')
),

attributed as (
    select
        landing_file,
        line_no,
        retrieved_at,
        users,
        coalesce(
            request_tweet_id,
            nullif(regexp_extract(request_path, '/tweets/([0-9]+)/', 1), ''),
            nullif(regexp_extract(endpoint, '/tweets/([0-9]+)/', 1), '')
        ) as tweet_id,
        regexp_extract(endpoint, '/(liking_users|retweeted_by)', 1) as list_kind
    from source
),

renamed as (
    select
        landing_file,
        line_no,
        generate_subscripts(users, 1) as item_no,
        tweet_id,
        list_kind,
        unnest(users).id as user_id,
        retrieved_at as observed_at
    from attributed
    where tweet_id is not null
)

select * from renamed
