{{ config(materialized='table', schema='core') }}

select follower_user_id, followed_user_id, max(observed_at) as last_observed_at, any_value(source) as source
from {{ ref('stg_x__archive_follows') }}
where follower_user_id is not null and followed_user_id is not null
group by all
