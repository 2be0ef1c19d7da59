{{ config(materialized='incremental', incremental_strategy='append', schema='staging') }}

-- one row per tweet (a page's data or includes item) of the pages staging has not seen yet
select
    {{ landing_provenance() }}, origin, item_no,
    t.id as version_id,
    coalesce(t.edit_history_tweet_ids[1], t.id) as tweet_id,
    t.edit_history_tweet_ids as edit_history_tweet_ids,
    t.author_id as author_id,
    try_cast(t.created_at as timestamptz) as created_at,
    t.text as text,
    t.conversation_id as conversation_id,
    t.lang as lang,
    t.in_reply_to_user_id as in_reply_to_user_id,
    t.possibly_sensitive as possibly_sensitive,
    coalesce(t.referenced_tweets, []) as referenced_tweets,
    coalesce(list_contains([r.type for r in t.referenced_tweets], 'retweeted'), false) as is_retweet,
    [struct_pack(user_id := m.id, username := m.username, start_at := m.start)
        for m in coalesce(t.entities.mentions, [])] as mentions,
    [coalesce(u.unwound_url, u.expanded_url) for u in coalesce(t.entities.urls, [])] as urls,
    t.public_metrics.retweet_count as retweets,
    t.public_metrics.reply_count as replies,
    t.public_metrics.like_count as likes,
    t.public_metrics.quote_count as quotes,
    t.public_metrics.impression_count as impressions,
    t.public_metrics.bookmark_count as bookmarks,
    t.withheld is not null as is_withheld,
    t.withheld.country_codes as withheld_countries,
    loaded_at
from ({{ tiemeter_page_items('tweets', 'included_tweets', 't') }})
where t.id is not null and t.text is not null
