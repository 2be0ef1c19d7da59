{{ config(
    materialized='incremental', incremental_strategy='tiemeter_touched', unique_key='version_id', schema='core',
    post_hook="{{ tiemeter_advance_mark([ref('stg_x__api_tweets'), ref('stg_x__archive_tweets')]) }}"
) }}

with observations as ({{ tweet_observations('version_id, tweet_id, edit_history_tweet_ids') }}),

{#- A version's row changes only when a new observation names it: as its version id or in its edit
    history. #}
{% set touched_versions %}
    select id as key from ({{ new_tweet_ids() }})
{% endset %}

from_history as (
    select unnest(edit_history_tweet_ids) as version_id, edit_history_tweet_ids[1] as tweet_id,
        generate_subscripts(edit_history_tweet_ids, 1) as version_no
    from observations
    where len(edit_history_tweet_ids) > 0
),

seen as (
    select version_id, tweet_id, null::integer as version_no from observations
    union all
    select version_id, tweet_id, version_no from from_history
)

select version_id, min(tweet_id) as tweet_id, max(version_no) as version_no
from seen
where version_id is not null and {{ tiemeter_touched('version_id', touched_versions) }}
group by version_id
