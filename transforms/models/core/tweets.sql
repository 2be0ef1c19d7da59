{{ config(
    materialized='incremental', incremental_strategy='tiemeter_touched', unique_key='tweet_id', schema='core',
    post_hook=["{{ tiemeter_advance_mark([ref('stg_x__api_tweets'), ref('stg_x__archive_tweets')]) }}",
               "{{ tiemeter_inputs_keep(tweets_removals()) }}"]
) }}

{#- Incremental on tweet_id (the chain): the keys are in macros/tweets_touched.sql. -#}
{% do tweets_touched() %}

with observations as (
    select * from {{ ref('stg_x__api_tweets') }}
    union all by name
    select * from {{ ref('stg_x__archive_tweets') }}
),

chained as (
    select o.*, coalesce(v.tweet_id, o.tweet_id) as chain_id
    from observations o
    left join {{ ref('tweet_versions') }} v on v.version_id = o.version_id
    -- a touched chain's observations (every observed version is in core.tweet_versions)
    where {{ tiemeter_in_touched('coalesce(v.tweet_id, o.tweet_id)') }}
),

ranked as (
    select *,
        min(created_at) over (partition by chain_id) as original_created_at,
        count(distinct version_id) over (partition by chain_id) as versions_seen,
        min(observed_at) over (partition by chain_id) as first_seen,
        max(observed_at) over (partition by chain_id) as last_seen
    from chained
    qualify row_number() over (
        partition by chain_id
        order by version_id::hugeint desc, (source = 'x_archive') asc, observed_at desc nulls last,
                 (origin = 'data') desc, landing_file desc, line_no desc
    ) = 1
),

refs as (
    select r.chain_id,
        max(case when r.ref.type = 'replied_to' then coalesce(v.tweet_id, r.ref.id) end) as replied_to_tweet_id,
        max(case when r.ref.type = 'quoted' then coalesce(v.tweet_id, r.ref.id) end) as quoted_tweet_id,
        max(case when r.ref.type = 'retweeted' then coalesce(v.tweet_id, r.ref.id) end) as retweeted_tweet_id
    from (select chain_id, unnest(referenced_tweets) as ref from ranked) as r
    left join {{ ref('tweet_versions') }} v on v.version_id = r.ref.id
    group by r.chain_id
),

removed_tweet as (
    select resource_id as tweet_id, reason from {{ ref('removals') }} where resource_type = 'tweet' and removes_text
),

removed_user as (
    select resource_id as user_id, 'user_' || reason as reason from {{ ref('removals') }} where resource_type = 'user' and removes_text
),

-- every tweet's author: an untouched original keeps its row
authors as (
    select chain_id, author_id from ranked
    {%- if tiemeter_incremental_run() %}
    union all
    select tweet_id, author_id from {{ this }} where not {{ tiemeter_in_touched('tweet_id') }}
    {%- endif %}
),

removal as (
    select ranked.chain_id,
        coalesce(rt.reason, ru.reason, case when rr.tweet_id is not null or rau.user_id is not null then 'retweet_of_removed' end)
            as removal_reason
    from ranked
    left join refs on refs.chain_id = ranked.chain_id
    left join removed_tweet rt on rt.tweet_id = ranked.chain_id
    left join removed_user ru on ru.user_id = ranked.author_id
    left join removed_tweet rr on rr.tweet_id = refs.retweeted_tweet_id
    -- a retweet of a removed user's tweet
    left join authors orig on orig.chain_id = refs.retweeted_tweet_id
    left join removed_user rau on rau.user_id = orig.author_id
)

select
    ranked.chain_id as tweet_id,
    ranked.version_id as latest_version_id,
    greatest(coalesce(len(ranked.edit_history_tweet_ids), 1), ranked.versions_seen) - 1 as edit_count,
    ranked.author_id,
    ranked.original_created_at as created_at,
    case when ranked.version_id <> ranked.chain_id then ranked.created_at end as edited_at,
    case when removal.removal_reason is null then ranked.text end as text,
    ranked.conversation_id,
    ranked.lang,
    ranked.in_reply_to_user_id,
    refs.replied_to_tweet_id,
    refs.quoted_tweet_id,
    refs.retweeted_tweet_id,
    ranked.is_retweet,
    case when removal.removal_reason is null then ranked.urls end as urls,
    ranked.is_withheld,
    ranked.withheld_countries,
    ranked.source,
    ranked.first_seen as first_observed_at,
    ranked.last_seen as last_observed_at,
    removal.removal_reason
from ranked
left join refs on refs.chain_id = ranked.chain_id
left join removal on removal.chain_id = ranked.chain_id
