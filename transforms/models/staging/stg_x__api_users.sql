{{ config(materialized='incremental', incremental_strategy='append', schema='staging') }}

-- one row per user (a page's data or includes item) of the pages staging has not seen yet
select
    {{ landing_provenance() }}, origin, item_no,
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
from ({{ tiemeter_page_items('users', 'included_users', 'p') }})
where p.id is not null and p.name is not null
