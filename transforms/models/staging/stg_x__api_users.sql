{{ config(materialized='incremental', incremental_strategy='append', schema='staging') }}

with source as (
    select landing_file, line_no, source, retrieved_at, loaded_at, 'data' as origin,
        unnest(users) as p, generate_subscripts(users, 1) as item_no
    from {{ ref('stg_x__pages') }}
    where {{ tiemeter_unseen() }} and len(users) > 0
    union all
    select landing_file, line_no, source, retrieved_at, loaded_at, 'includes',
        unnest(included_users), generate_subscripts(included_users, 1)
    from {{ ref('stg_x__pages') }}
    where {{ tiemeter_unseen() }} and len(included_users) > 0
),

renamed as (
    select
        landing_file,
        line_no,
        origin,
        item_no,
        source,
        retrieved_at as observed_at,
        p.id as user_id,
        p.username as username,
        p.name as display_name,
        try_cast(p.created_at as timestamptz) as created_at,
        p.description as description,
        p.location as location,
        p.url as url,
        p.verified as verified,
        p.verified_type as verified_type,
        p.protected as protected,
        p.profile_image_url as profile_image_url,
        p.public_metrics.followers_count as followers,
        p.public_metrics.following_count as following,
        p.public_metrics.tweet_count as tweet_count,
        p.public_metrics.listed_count as listed_count,
        p.withheld is not null as is_withheld,
        loaded_at
    from source
    where p.id is not null and p.name is not null
)

select * from renamed
