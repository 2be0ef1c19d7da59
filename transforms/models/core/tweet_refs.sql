{{ config(
    materialized='incremental', incremental_strategy='tiemeter_touched', unique_key='tweet_id', schema='core',
    post_hook="{{ tiemeter_advance_mark([ref('stg_x__api_tweets'), ref('stg_x__archive_tweets')]) }}"
) }}

{#- A tweet's references change when its chain is observed again, when a version it names joins a
    chain (an edit history arrives) or when the tweet it names arrives (its author, its availability). -#}
{% set touched_tweets %}
    with new_ids as ({{ new_tweet_ids() }}),
    seed as (
        {{ new_tweet_chains() }}
    )
    select id as key from seed
    union all
    select tweet_id from {{ this }} where referenced_version_id in (from new_ids) or referenced_tweet_id in (from seed)
{% endset %}
{% do tiemeter_collect_touched(touched_tweets) %}

with observations as ({{ tweet_observations('version_id, referenced_tweets') }}),

refs as (
    select distinct tweet_id, ref.type as ref_type, ref.id as referenced_version_id
    from (
        select t.tweet_id, unnest(o.referenced_tweets) as ref
        from {{ ref('tweets') }} t
        join observations o on o.version_id = t.latest_version_id
        where {{ tiemeter_in_touched('t.tweet_id') }}
    )
    where ref.id is not null and ref.type is not null
)

select
    refs.tweet_id,
    refs.ref_type,
    coalesce(v.tweet_id, refs.referenced_version_id) as referenced_tweet_id,
    min(refs.referenced_version_id) as referenced_version_id,
    any_value(target.author_id) as referenced_author_id,
    bool_or(target.tweet_id is not null) as referenced_available
from refs
left join {{ ref('tweet_versions') }} v on v.version_id = refs.referenced_version_id
left join {{ ref('tweets') }} target on target.tweet_id = coalesce(v.tweet_id, refs.referenced_version_id)
group by all
