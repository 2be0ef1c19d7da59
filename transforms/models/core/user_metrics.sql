{{ config(materialized='table', schema='core') }}

select user_id, observed_at, followers, following, tweet_count, listed_count, source
from {{ ref('stg_x__api_users') }}
where observed_at is not null and followers is not null
qualify row_number() over (partition by user_id, observed_at order by landing_file desc, line_no desc, item_no desc) = 1
