/*
model: marts.campaign_sharing_tweets
grain: one row per (campaign, tweet) that shares the campaign
description: >
  Tweets that link to the campaign URL (or, for a query campaign, contain the query text), with
  the retweets and quotes of those tweets. Removed tweets are left out.
unique_key: [campaign, tweet_id]
columns:
  campaign: {description: "The [[campaigns]] name.", tests: [not_null]}
  tweet_id: {description: "The sharing tweet.", tests: [not_null, {relationships: core.tweets.tweet_id}]}
  author_id: {description: "Its author's X user id.", tests: [not_null]}
  share_kind: {description: "link (the tweet carries the URL or query), retweet or quote (of a link tweet).", tests: [not_null, {accepted_values: [link, retweet, quote]}]}
  shared_tweet_id: {description: "For a retweet or quote, the link tweet it passes on."}
  created_at: {description: "When it was tweeted."}
*/
with w as (select * from marts.analysis_window),

campaigns as (
    select name, tiemeter_norm_url(url) as url_norm, query from meta.config_campaigns
),

tweets as (
    select t.* from core.tweets t, w
    where t.created_at <= w.as_of and t.tweet_id not in (select tweet_id from core.removed_tweets)
),

linking as (
    select distinct c.name as campaign, t.tweet_id, t.author_id, t.created_at, t.is_retweet, t.retweeted_tweet_id
    from campaigns c
    join tweets t on (
        c.url_norm is not null and list_contains(list_transform(t.urls, u -> tiemeter_norm_url(u)), c.url_norm)
    ) or (
        c.url_norm is null and c.query is not null and contains(lower(t.text), lower(c.query))
    )
),

originals as (
    select campaign, tweet_id, author_id, created_at from linking where not is_retweet
),

passed_on as (
    select o.campaign, t.tweet_id, t.author_id,
        case when r.ref_type = 'retweeted' then 'retweet' else 'quote' end as share_kind,
        o.tweet_id as shared_tweet_id, t.created_at
    from originals o
    join core.tweet_refs r on r.referenced_tweet_id = o.tweet_id and r.ref_type in ('retweeted', 'quoted')
    join tweets t on t.tweet_id = r.tweet_id
)

select campaign, tweet_id, author_id, 'link' as share_kind, cast(null as varchar) as shared_tweet_id, created_at
from originals
union all
select campaign, tweet_id, author_id, share_kind, shared_tweet_id, created_at from passed_on
where (campaign, tweet_id) not in (select campaign, tweet_id from originals)
union all
-- a retweet of a link tweet that was itself not collected still carries the link
select l.campaign, l.tweet_id, l.author_id, 'retweet', l.retweeted_tweet_id, l.created_at
from linking l
where l.is_retweet
  and (l.campaign, l.tweet_id) not in (select campaign, tweet_id from passed_on)
