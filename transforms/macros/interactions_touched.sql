{#- core.interactions, incremental on content_id: a tweet (its reply, retweet, quote, mentions and link
    share), a reaction ("like:<tweet>:<user>") or a blog comment.

    A content's rows change when its tweet is observed again (an edit, a new version, a reaction list),
    when a tweet it answers, quotes or retweets arrives or goes away, or when a person it names changes:
    an X user who appears, is renamed, is removed or joins another person. Those last changes come from
    core.identities and core.removals, which are rebuilt whole, so the model keeps the inputs it read
    (meta.interactions_inputs: every identity's person, every X user's username, the removed tweets) and
    compares them with today's. Link shares and blog interactions are few: every tweet linking to a
    configured blog's host, and every comment, is recomputed each run (a new post or blog changes which
    links count).
-#}

{#- What the model read of core.identities, core.x_users, core.removals and core.removed_tweets. -#}
{% macro interactions_inputs_now() -%}
    select 'identity' as kind, identity_key as id, x_user_id, null as username, person_id,
        x_user_id in (select resource_id from {{ ref('removals') }} where resource_type = 'user') as removed_user
    from {{ ref('identities') }}
    union all
    -- a mention by username names the one X user who has it
    select 'x_user', user_id, user_id, lower(username), null, null from {{ ref('x_users') }}
    union all
    select 'removed_tweet', tweet_id, null, null, null, null from {{ ref('removed_tweets') }}
{%- endmacro %}


{#- The X content keys new or changed inputs touch; collected into the model's scratch table. -#}
{% macro interactions_touched() -%}
    {%- if tiemeter_incremental_run() -%}
        {%- set keys -%}
        with new_ids as (
            {{ new_tweet_ids() }}
            union all
            select tweet_id from {{ ref('stg_x__tweet_user_lists') }}
            where landing_file in (select landing_file from {{ ref('stg_x__pages') }} where {{ tiemeter_since_last_run() }})
        ),
        changed as ({{ tiemeter_inputs_changed(interactions_inputs_now()) }}),
        changed_users as (select x_user_id from changed where x_user_id is not null),
        changed_persons as (select person_id from changed where person_id is not null),
        -- tweets whose own row, or whose removal, changed
        seed as (
            {{ new_tweet_chains() }}
            union all
            select id from changed where kind = 'removed_tweet'
        ),
        touched_tweets as (
            select id from seed
            union all
            select tweet_id from {{ ref('tweets') }}
            where author_id in (from changed_users) or in_reply_to_user_id in (from changed_users)
            union all
            select tweet_id from {{ ref('tweet_mentions') }}
            where mentioned_user_id in (from changed_users)
               or mentioned_username in (select username from changed where username is not null)
            union all
            select tweet_id from {{ ref('tweet_refs') }}
            where referenced_author_id in (from changed_users)
               or referenced_tweet_id in (from seed) or referenced_version_id in (from seed)
            {%- set hosts = interactions_blog_hosts() %}
            {%- if hosts %}
            union all
            -- every link to a configured blog's host (a superset of the link shares)
            select tweet_id from {{ ref('tweets') }}
            where len(list_filter(urls, u -> {% for host in hosts -%}
                contains(lower(u), '{{ host | replace("'", "''") }}'){{ ' or ' if not loop.last }}
                {%- endfor %})) > 0
            {%- endif %}
        ),
        -- tweets whose reactions are recomputed: a retweet arriving supersedes its listed retweet
        reacted as (
            select id from touched_tweets
            union all
            select referenced_tweet_id from {{ ref('tweet_refs') }} where tweet_id in (from seed)
        )
        select id as key from touched_tweets
        union all
        select x.reaction || ':' || x.tweet_id || ':' || x.user_id from {{ ref('tweet_reactions') }} x
        where x.tweet_id in (from reacted) or x.user_id in (from changed_users)
        union all
        -- rows that may go away: of a changed person, on a touched tweet, every blog interaction
        select content_id from {{ this }}
        where post_id in (from reacted) or actor_person_id in (from changed_persons)
           or target_person_id in (from changed_persons) or channel = 'blog'
        union all
        select comment_id from {{ ref('blog_comments') }}
        {%- endset -%}
        {%- do tiemeter_collect_touched(keys) -%}
    {%- endif -%}
{%- endmacro %}

{#- The hosts of the configured blogs and of their collected posts (a few): a tweet links to a post or
    a blog only if one of them is in its URL. Matched as text in the model's SQL: a regular expression
    per URL of every tweet costs a second at 200k tweets. -#}
{% macro interactions_blog_hosts() -%}
    {%- set found = run_query(
        "select distinct regexp_extract(lower(trim(u)), '^(?:[a-z]+://)?(?:www\\.)?([^/?#:]*)', 1) as host from ("
        ~ "select site_url as u from " ~ source('meta', 'config_blogs')
        ~ " union all select url from " ~ ref('blog_posts') ~ ") where u is not null") -%}
    {{ return(found.columns[0].values() | reject('equalto', '') | list) }}
{%- endmacro %}
