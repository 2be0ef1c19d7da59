{{ config(
    materialized='incremental', incremental_strategy='tiemeter_touched', unique_key='user_id', schema='core',
    post_hook="{{ tiemeter_advance_mark([ref('stg_x__api_users')]) }}"
) }}

{% set touched_users %}
    select user_id as key from {{ ref('stg_x__api_users') }} where {{ tiemeter_since_last_run() }}
{% endset %}

select user_id, observed_at, followers, following, tweet_count, listed_count, source
from {{ ref('stg_x__api_users') }}
where observed_at is not null and followers is not null and {{ tiemeter_touched('user_id', touched_users) }}
qualify row_number() over (partition by user_id, observed_at order by landing_file desc, line_no desc, item_no desc) = 1
