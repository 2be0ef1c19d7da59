{{ config(materialized='incremental', incremental_strategy='append', schema='staging') }}

with source as (
    select landing_file, line_no, source, retrieved_at, loaded_at,
        payload ->> '$.__tiemeter.account_id' as account_id,
        payload -> '$.tweet' as tweet
    from {{ source('raw', 'x_archive_tweets') }}
    where {{ tiemeter_unseen() }}
),

parsed as (
    select *, json_transform(tweet, '{
        "id_str": "VARCHAR", "created_at": "VARCHAR", "full_text": "VARCHAR", "lang": "VARCHAR",
        "in_reply_to_status_id_str": "VARCHAR", "in_reply_to_user_id_str": "VARCHAR",
        "retweet_count": "BIGINT", "favorite_count": "BIGINT",
        "entities": {"user_mentions": [{"id_str": "VARCHAR", "screen_name": "VARCHAR", "indices": ["INTEGER"]}],
                     "urls": [{"expanded_url": "VARCHAR"}]},
        "edit_info": {"initial": {"editTweetIds": ["VARCHAR"]},
                      "edit": {"initialTweetId": "VARCHAR", "editControlInitial": {"editTweetIds": ["VARCHAR"]}}}
    }') as t
    from source
),

renamed as (
    select
        landing_file,
        line_no,
        'archive' as origin,
        1 as item_no,
        source,
        retrieved_at as observed_at,
        t.id_str as version_id,
        coalesce(t.edit_info.initial.editTweetIds[1], t.edit_info.edit.initialTweetId, t.id_str) as tweet_id,
        coalesce(t.edit_info.initial.editTweetIds, t.edit_info.edit.editControlInitial.editTweetIds) as edit_history_tweet_ids,
        account_id as author_id,
        strptime(t.created_at, '%a %b %d %H:%M:%S %z %Y') as created_at,
        t.full_text as text,
        cast(null as varchar) as conversation_id,
        t.lang as lang,
        t.in_reply_to_user_id_str as in_reply_to_user_id,
        cast(null as boolean) as possibly_sensitive,
        case when t.in_reply_to_status_id_str is not null
             then [struct_pack(type := 'replied_to', id := t.in_reply_to_status_id_str)]
             else [] end as referenced_tweets,
        coalesce(starts_with(t.full_text, 'RT @'), false) as is_retweet,
        [struct_pack(user_id := m.id_str, username := m.screen_name, start_at := m.indices[1])
            for m in coalesce(t.entities.user_mentions, [])] as mentions,
        [u.expanded_url for u in coalesce(t.entities.urls, [])] as urls,
        t.retweet_count as retweets,
        cast(null as bigint) as replies,
        t.favorite_count as likes,
        cast(null as bigint) as quotes,
        cast(null as bigint) as impressions,
        cast(null as bigint) as bookmarks,
        false as is_withheld,
        cast(null as varchar[]) as withheld_countries,
        loaded_at
    from parsed
)

select * from renamed
