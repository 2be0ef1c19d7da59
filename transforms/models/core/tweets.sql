/*
model: core.tweets
grain: one row per tweet (edit chain); the latest edit wins
description: >
  Every tweet seen: in `data`, in `includes.tweets`, inlined by twarc, or in an X archive.
  An edited tweet is one row keyed by its first version id; its text and references come from the
  latest version seen, and the latest observation of that version wins. Removed content (core.removals:
  a deleted, dropped or unavailable tweet, a tweet by a deleted, suspended or protected user, a retweet
  of such a tweet) keeps its row and id, but its text and URLs are null and removal_reason says why.
unique_key: [tweet_id]
columns:
  tweet_id: {description: "The tweet's id; for an edited tweet, the id of its first version.", tests: [not_null, unique]}
  latest_version_id: {description: "The id of the latest version seen (equals tweet_id unless edited).", tests: [not_null]}
  edit_count: {description: "Number of edits seen (0 when never edited)."}
  author_id: {description: "X user id of the author.", tests: [{relationships: core.x_users.user_id}]}
  created_at: {description: "When the original version was posted (UTC)."}
  edited_at: {description: "When the latest version was posted, if the tweet was edited."}
  text: {description: "Text of the latest version (a retweet's text is X's 'RT @user: ...' form). Null when the content was removed (removal_reason)."}
  conversation_id: {description: "Id of the conversation's root tweet (null for archive tweets)."}
  lang: {description: "Language X detected (BCP 47)."}
  in_reply_to_user_id: {description: "The user this tweet replies to, if it is a reply."}
  replied_to_tweet_id: {description: "The tweet this one replies to (resolved to its edit chain where known)."}
  quoted_tweet_id: {description: "The tweet this one quotes (resolved to its edit chain where known)."}
  retweeted_tweet_id: {description: "The tweet this one retweets (resolved to its edit chain where known)."}
  is_retweet: {description: "True for a retweet (archive tweets: recognised by their 'RT @' text).", tests: [not_null]}
  urls: {description: "Expanded (or unwound) URLs the tweet links to (media links included). Null when the content was removed."}
  is_withheld: {description: "X reported the tweet withheld in some countries.", tests: [not_null]}
  withheld_countries: {description: "Country codes where the tweet is withheld."}
  source: {description: "Where the winning observation came from.", tests: [not_null, {accepted_values: [x_api, twarc, x_archive]}]}
  first_observed_at: {description: "When tiemeter (or twarc) first saw the tweet."}
  last_observed_at: {description: "When tiemeter (or twarc) last saw the tweet."}
  removal_reason: {description: "Null for visible content. Otherwise why its text and URLs are gone (the row stays, a tombstone with its id): deleted, dropped or unavailable (core.removals), user_deleted, user_suspended or user_protected (its author's removal), retweet_of_removed (a retweet carries the removed text). Withheld content keeps its text; marts leave out all of core.removed_tweets.", tests: [{accepted_values: [deleted, dropped, unavailable, user_deleted, user_suspended, user_protected, retweet_of_removed]}]}
*/
with observations as (
    select * from staging.stg_x__api_tweets
    union all by name
    select * from staging.stg_x__archive_tweets
),

chained as (
    select o.*, coalesce(v.tweet_id, o.tweet_id) as chain_id
    from observations o
    left join core.tweet_versions v on v.version_id = o.version_id
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
    left join core.tweet_versions v on v.version_id = r.ref.id
    group by r.chain_id
),

removed_tweet as (
    select resource_id as tweet_id, reason from core.removals where resource_type = 'tweet' and removes_text
),

removed_user as (
    select resource_id as user_id, 'user_' || reason as reason from core.removals where resource_type = 'user' and removes_text
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
    left join ranked orig on orig.chain_id = refs.retweeted_tweet_id
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
