/*
model: core.removed_tweets
grain: one row per tweet that marts must leave out
description: >
  Every tweet that marts leave out, with why. Directly: a removal that stands in core.removals
  (deleted per compliance or a "Not Found Error", dropped, unavailable per an "Authorization
  Error", withheld), a tweet X reported withheld, a tweet by a removed user (deleted, suspended,
  protected or withheld, while no reversal followed). Then its retweets, and theirs in turn: a
  retweet is the removed tweet itself, passed on. A quote is its author's own tweet and stays; it
  no longer passes the removed tweet on (campaign shares, interactions and exposure count no quote
  of a removed tweet as a share or an edge), and a quote that carries a campaign URL itself is still
  that author's share. Every mart drops these (shares, amplifiers, exposure, interactions,
  reactions); core.tweets nulls their text where text_removed.
unique_key: [tweet_id]
columns:
  tweet_id: {description: "The removed tweet (its edit chain).", tests: [not_null]}
  reason: {description: "deleted, unavailable, dropped, withheld, user_deleted, user_suspended, user_protected, user_withheld or retweet_of_removed (the first that applies).", tests: [not_null, {accepted_values: [deleted, unavailable, dropped, withheld, user_deleted, user_suspended, user_protected, user_withheld, retweet_of_removed]}]}
  removed_id: {description: "The tweet or user whose removal this follows (the tweet itself for a direct removal)."}
  author_id: {description: "The tweet's author, when the tweet is in core.tweets."}
  text_removed: {description: "True when core.tweets keeps only a tombstone (text and URLs null).", tests: [not_null]}
  observed_at: {description: "When tiemeter learnt of the removal it follows."}
*/
with recursive direct as (
    select resource_id as tweet_id, reason, resource_id as removed_id, observed_at
    from core.removals
    where resource_type = 'tweet'
    union all
    select t.tweet_id, 'user_' || r.reason, r.resource_id, r.observed_at
    from core.tweets t
    join core.removals r on r.resource_type = 'user' and r.resource_id = t.author_id
    union all
    select tweet_id, 'withheld', tweet_id, last_observed_at from core.tweets where is_withheld
),

passes_on as (
    select tweet_id, retweeted_tweet_id as passed_on_id, 'retweet_of_removed' as reason
    from core.tweets where retweeted_tweet_id is not null
),

passed_on(tweet_id, reason, removed_id, observed_at, depth) as (
    select tweet_id, reason, removed_id, observed_at, 0 from direct
    union
    select l.tweet_id, l.reason, p.removed_id, p.observed_at, p.depth + 1
    from passed_on p
    join passes_on l on l.passed_on_id = p.tweet_id
    where p.depth < 20
),

ranked as (
    select *,
        case reason
            when 'deleted' then 1 when 'unavailable' then 2 when 'dropped' then 3 when 'withheld' then 5
            when 'retweet_of_removed' then 6 else 4
        end as priority
    from passed_on
)

select
    r.tweet_id,
    arg_min(r.reason, struct_pack(p := r.priority, d := r.depth)) as reason,
    arg_min(r.removed_id, struct_pack(p := r.priority, d := r.depth)) as removed_id,
    any_value(t.author_id) as author_id,
    coalesce(bool_or(t.removal_reason is not null), false) as text_removed,
    arg_min(r.observed_at, struct_pack(p := r.priority, d := r.depth)) as observed_at
from ranked r
left join core.tweets t on t.tweet_id = r.tweet_id
group by r.tweet_id
