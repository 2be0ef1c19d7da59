/*
model: core.tweet_reactions
grain: one row per (tweet, user, reaction) where the reaction is a like or a retweet
description: >
  Who liked or retweeted each tweet: from /liking_users and /retweeted_by pages, and from retweet
  tweets themselves. Likes carry no time of their own in the API; they are dated by the liked tweet.
  Reactions to a removed tweet (core.removed_tweets) and by a removed user (core.removals) are left out.
unique_key: [tweet_id, user_id, reaction]
columns:
  tweet_id: {description: "The liked or retweeted tweet.", tests: [not_null]}
  user_id: {description: "The user who liked or retweeted it.", tests: [not_null, {relationships: core.x_users.user_id}]}
  reaction: {description: "like or retweet.", tests: [not_null, {accepted_values: [like, retweet]}]}
  retweet_id: {description: "The retweet itself, when it was collected."}
  reacted_at: {description: "When: the retweet's time, or for likes and listed-only retweets the reacted-to tweet's time."}
  first_observed_at: {description: "When the reaction was first seen."}
*/
with listed as (
    select coalesce(v.tweet_id, l.tweet_id) as tweet_id, l.user_id,
        case l.list_kind when 'liking_users' then 'like' else 'retweet' end as reaction,
        cast(null as varchar) as retweet_id, cast(null as timestamptz) as reacted_at, l.observed_at
    from staging.stg_x__tweet_user_lists l
    left join core.tweet_versions v on v.version_id = l.tweet_id
    where l.user_id is not null
),

retweets as (
    select r.referenced_tweet_id as tweet_id, t.author_id as user_id, 'retweet' as reaction,
        t.tweet_id as retweet_id, t.created_at as reacted_at, t.first_observed_at as observed_at
    from core.tweet_refs r
    join core.tweets t on t.tweet_id = r.tweet_id
    where r.ref_type = 'retweeted' and t.author_id is not null
),

combined as (
    select * from listed
    union all
    select * from retweets
)

select
    c.tweet_id,
    c.user_id,
    c.reaction,
    min(c.retweet_id) as retweet_id,
    coalesce(min(c.reacted_at), any_value(target.created_at)) as reacted_at,
    min(c.observed_at) as first_observed_at
from combined c
left join core.tweets target on target.tweet_id = c.tweet_id
-- no reaction to a removed tweet, none by a removed user
where c.tweet_id not in (select tweet_id from core.removed_tweets)
  and c.user_id not in (select resource_id from core.removals where resource_type = 'user')
group by c.tweet_id, c.user_id, c.reaction
