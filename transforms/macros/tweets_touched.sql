{#- core.tweets, incremental on tweet_id (a chain of versions): a chain's row changes when one of its
    versions is observed (or named in a new edit history), when its removal or its author's changes, and
    a tweet's when the tweet it answers, quotes or retweets is merged into another chain (its reference
    names the chain) or, for a retweet, when its original arrives or is removed. Removals come from
    core.removals, rebuilt whole: the model keeps what it read (tiemeter_inputs_keep). -#}

{#- What core.tweets reads of core.removals. -#}
{% macro tweets_removals() -%}
    select resource_type, resource_id, reason from {{ ref('removals') }} where removes_text
{%- endmacro %}

{% macro tweets_touched() -%}
    {%- if tiemeter_incremental_run() -%}
        {%- set keys -%}
        with new_ids as ({{ new_tweet_ids() }}),
        changed as ({{ tiemeter_inputs_changed(tweets_removals()) }}),
        -- chains whose own row changes: observed, removed (or no longer), or by a removed user
        seed as (
            {{ new_tweet_chains() }}
            union all
            select resource_id from changed where resource_type = 'tweet'
            union all
            select tweet_id from {{ this }}
            where author_id in (select resource_id from changed where resource_type = 'user')
        )
        select id as key from seed
        union all
        select tweet_id from {{ this }}
        where retweeted_tweet_id in (from seed)
           or replied_to_tweet_id in (from new_ids) or quoted_tweet_id in (from new_ids)
        {%- endset -%}
        {%- do tiemeter_collect_touched(keys) -%}
    {%- endif -%}
{%- endmacro %}

{#- The tweet and version ids that new staging rows name (as the version or in its edit history),
    since the model's last run. -#}
{% macro new_tweet_ids() -%}
    select unnest([version_id] || coalesce(edit_history_tweet_ids, [])) as id
    from {{ ref('stg_x__api_tweets') }} where {{ tiemeter_since_last_run() }}
    union all
    select unnest([version_id] || coalesce(edit_history_tweet_ids, []))
    from {{ ref('stg_x__archive_tweets') }} where {{ tiemeter_since_last_run() }}
{%- endmacro %}

{#- Those ids and the chains they belong to (expects the CTE new_ids). -#}
{% macro new_tweet_chains() -%}
    select id from new_ids
    union all
    select tweet_id from {{ ref('tweet_versions') }} where version_id in (from new_ids)
{%- endmacro %}
