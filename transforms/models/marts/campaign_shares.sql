/*
model: marts.campaign_shares
grain: one row per (campaign, share) by the reference time
description: >
  Every share of a campaign with the sharer's followers when sharing: the sharing tweets
  (marts.campaign_sharing_tweets) at their authors' followers at tweet time (marts.tweet_followers),
  and each retweeter X listed in a link tweet's retweeted_by without the retweet tweet, as one share
  at their followers at the reference time. Campaign exposure sums followers over these rows; reach
  counts each account once (docs/metrics.md).
unique_key: [campaign, share_id]
columns:
  campaign: {description: "The [[campaigns]] name.", tests: [not_null]}
  share_id: {description: "The sharing tweet's id, or retweeted_by:<tweet>:<user>.", tests: [not_null]}
  user_id: {description: "The X account that shared it.", tests: [not_null]}
  share_kind: {description: "link, retweet or quote (as in marts.campaign_sharing_tweets), or retweeted_by.", tests: [not_null, {accepted_values: [link, retweet, quote, retweeted_by]}]}
  shared_tweet_id: {description: "For a retweet, quote or retweeted_by share: the link tweet passed on."}
  shared_at: {description: "When it was shared (for retweeted_by: the link tweet's time)."}
  followers: {description: "The sharer's followers when sharing (retweeted_by: at the reference time); 0 when unknown.", tests: [not_null]}
*/
with w as (select as_of from marts.analysis_window),

tweeted as (
    select s.campaign, s.tweet_id as share_id, s.author_id as user_id, s.share_kind, s.shared_tweet_id,
        s.created_at as shared_at, coalesce(f.author_followers, 0) as followers
    from marts.campaign_sharing_tweets s
    left join marts.tweet_followers f using (tweet_id)
),

listed as (
    select s.campaign, 'retweeted_by:' || x.tweet_id || ':' || x.user_id as share_id, x.user_id,
        'retweeted_by' as share_kind, x.tweet_id as shared_tweet_id, x.reacted_at as shared_at,
        coalesce(f.followers, 0) as followers
    from marts.campaign_sharing_tweets s
    join core.tweet_reactions x on x.tweet_id = s.tweet_id and x.reaction = 'retweet' and x.retweet_id is null
    left join marts.follower_counts f on f.user_id = x.user_id, w
    where s.share_kind = 'link' and coalesce(x.reacted_at, w.as_of) <= w.as_of
)

select * from tweeted
union all
select * from listed
