{{ config(materialized='view', schema='staging') }}

with source as (
    select landing_file, line_no, retrieved_at, endpoint, request_path, request_tweet_id, users
    from {{ ref('stg_x__pages') }}
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
