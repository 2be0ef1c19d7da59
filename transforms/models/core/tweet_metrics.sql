{{ config(
    materialized='incremental', incremental_strategy='tiemeter_touched', unique_key='tweet_id', schema='core',
    post_hook="{{ tiemeter_advance_mark([ref('stg_x__api_tweets'), ref('stg_x__archive_tweets')]) }}"
) }}

with observations as (
    select * from {{ ref('stg_x__api_tweets') }}
    union all by name
    select * from {{ ref('stg_x__archive_tweets') }}
),

{#- The tweets new observations touch: every id they name (their version, their tweet, their edit
    history) and the tweet each of those ids belongs to now. An edit history that arrives later can
    move an earlier observation to another tweet; both tweets are touched then. #}
{% set touched_tweets %}
    with ids as (
        select unnest([version_id, tweet_id] || coalesce(edit_history_tweet_ids, [])) as id
        from {{ ref('stg_x__api_tweets') }} where {{ tiemeter_since_last_run() }}
        union all
        select unnest([version_id, tweet_id] || coalesce(edit_history_tweet_ids, []))
        from {{ ref('stg_x__archive_tweets') }} where {{ tiemeter_since_last_run() }}
    )
    select id as key from ids
    union all
    select v.tweet_id from ids join {{ ref('tweet_versions') }} v on v.version_id = ids.id
{% endset %}

chained as (
    select o.*, coalesce(v.tweet_id, o.tweet_id) as chain_id
    from observations o
    left join {{ ref('tweet_versions') }} v on v.version_id = o.version_id
)

select
    chain_id as tweet_id,
    observed_at,
    retweets,
    replies,
    likes,
    quotes,
    impressions,
    bookmarks,
    source
from chained
where observed_at is not null and (retweets is not null or likes is not null)
    and {{ tiemeter_touched('chain_id', touched_tweets) }}
qualify row_number() over (
    partition by chain_id, observed_at
    order by version_id::hugeint desc, landing_file desc, line_no desc
) = 1
