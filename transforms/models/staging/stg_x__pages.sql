{{ config(materialized='batched_table', schema='staging', batch_source=['raw', 'x_api_pages'], batch_rows=100) }}

with source as (
    select landing_file, line_no, source, endpoint, kind, retrieved_at, payload, loaded_at
    from {{ source('raw', 'x_api_pages') }}
    where {{ batch_filter() }} and {{ tiemeter_unseen() }} and kind in ('tweets', 'users', 'errors', 'flat_tweet')
),

parsed as (
    select
        landing_file, line_no, source, endpoint, kind, retrieved_at, payload, loaded_at,
        case when kind in ('tweets', 'errors') then json_transform(payload, {{ json_structure('X_TWEETS_PAGE') }}) end as tweets_page,
        case when kind = 'users' then json_transform(payload, {{ json_structure('X_USERS_PAGE') }}) end as users_page,
        case when kind = 'flat_tweet' then json_transform(payload, {{ json_structure('X_TWEET') }}) end as flat_tweet,
        case when kind = 'flat_tweet' then json_transform(payload, {{ json_structure('X_FLAT_REFERENCES') }}) end as flat_refs,
        case when kind = 'flat_tweet' then json_transform(payload, {{ json_structure('X_FLAT_USERS') }}) end as flat_users
    from source
),

renamed as (
    select
        landing_file,
        line_no,
        source,
        endpoint,
        coalesce(tweets_page.__tiemeter.path, users_page.__tiemeter.path) as request_path,
        coalesce(tweets_page.__tiemeter.tweet_id, users_page.__tiemeter.tweet_id) as request_tweet_id,
        kind,
        retrieved_at,
        case
            when kind = 'tweets' and tweets_page.data is null
                then [json_transform(payload, {{ json_structure('X_STREAM_PAGE') }}).data]
            when kind = 'flat_tweet' then [flat_tweet]
            else coalesce(tweets_page.data, [])
        end as tweets,
        case
            when kind = 'flat_tweet' then list_filter(coalesce(flat_refs.referenced_tweets, []), t -> t.text is not null)
            else coalesce(tweets_page.includes.tweets, users_page.includes.tweets, [])
        end as included_tweets,
        coalesce(users_page.data, []) as users,
        case
            when kind = 'flat_tweet' then list_filter(
                [flat_users.author, flat_users.in_reply_to_user]
                || [r.author for r in coalesce(flat_users.referenced_tweets, [])]
                || coalesce(flat_users.entities.mentions, []),
                u -> u.id is not null and u.name is not null)
            else coalesce(tweets_page.includes.users, users_page.includes.users, [])
        end as included_users,
        coalesce(tweets_page.errors, users_page.errors, []) as errors,
        loaded_at
    from parsed
)

select * from renamed
