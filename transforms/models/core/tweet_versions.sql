{{ config(materialized='table', schema='core') }}

with observations as ({{ tweet_observations('version_id, tweet_id, edit_history_tweet_ids') }}),

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
where version_id is not null
group by version_id
