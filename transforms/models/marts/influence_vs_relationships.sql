/*
model: marts.influence_vs_relationships
grain: one row per measured account
description: >
  Audience and influence next to real relationships. Strong ties are set against Dunbar's number
  (about 150 stable relationships; Dunbar 1992). Conversions are those of the account's campaigns,
  split by the converter's tie class with the account.
unique_key: [person_id]
columns:
  person_id: {description: "The account's person.", tests: [not_null, unique]}
  account_name: {description: "The account's name."}
  followers: {description: "X followers at the reference time."}
  potential_reach: {description: "followers + the followers of each distinct account that retweeted or quoted the account's posts in the window.", tests: [not_null]}
  spread_score: {description: "The spread score for the window ending at the reference time."}
  strong_ties: {description: "People with a strong tie.", tests: [not_null]}
  weak_ties: {description: "People with a weak tie.", tests: [not_null]}
  friends: {description: "People the account directed at least two interactions at.", tests: [not_null]}
  dunbar_share: {description: "strong_ties / 150.", tests: [not_null]}
  friends_per_follower: {description: "friends / followers."}
  strong_tie_engagement_share: {description: "Share of the interactions aimed at the account (by the reference time) that came from strong ties."}
  conversions_strong: {description: "Conversions of the account's campaigns by strong ties.", tests: [not_null]}
  conversions_weak: {description: "... by weak ties.", tests: [not_null]}
  conversions_none: {description: "... by people without a tie, or not matched to a person.", tests: [not_null]}
*/
with w as (select * from marts.analysis_window),

accounts as (select * from marts.accounts_in_scope),

followers as (
    select a.person_id, max(f.followers) as followers
    from accounts a
    join core.identities i on i.person_id = a.person_id and i.identity_kind = 'x_user'
    join marts.follower_counts f on f.user_id = i.x_user_id
    group by 1
),

amplifiers as (
    select p.author_person_id as person_id, sum(coalesce(f.followers, 0)) as amplifier_followers
    from (
        select distinct p.author_person_id, t.author_id as user_id
        from marts.post_reach_engagement p
        join core.tweet_refs r on r.referenced_tweet_id = p.post_id and r.ref_type in ('retweeted', 'quoted')
        join core.tweets t on t.tweet_id = r.tweet_id, w
        where p.channel = 'x' and t.created_at > w.window_start and t.created_at <= w.as_of
          and t.tweet_id not in (select tweet_id from core.removed_tweets)
        union
        select distinct p.author_person_id, x.user_id
        from marts.post_reach_engagement p
        join core.tweet_reactions x on x.tweet_id = p.post_id and x.reaction = 'retweet', w
        where p.channel = 'x' and coalesce(x.reacted_at, p.posted_at) > w.window_start and coalesce(x.reacted_at, p.posted_at) <= w.as_of
    ) p
    left join marts.follower_counts f on f.user_id = p.user_id
    left join core.identities ai on ai.identity_key = 'x:' || p.user_id
    where ai.person_id is distinct from p.author_person_id
    group by 1
),

ties as (
    select account_person_id as person_id,
        count(*) filter (where tie_class = 'strong') as strong_ties,
        count(*) filter (where tie_class = 'weak') as weak_ties,
        count(*) filter (where is_friend) as friends
    from marts.tie_strength
    group by 1
),

engagement as (
    select i.target_person_id as person_id,
        count(*) filter (where t.tie_class = 'strong') / count(*) as strong_tie_engagement_share
    from core.interactions i
    join accounts a on a.person_id = i.target_person_id
    left join marts.tie_strength t on t.account_person_id = i.target_person_id and t.person_id = i.actor_person_id, w
    where i.occurred_at <= w.as_of and i.actor_person_id is not null
    group by 1
),

conversions as (
    select a.person_id,
        count(*) filter (where v.tie_class = 'strong') as conversions_strong,
        count(*) filter (where v.tie_class = 'weak') as conversions_weak,
        count(*) filter (where v.tie_class = 'none') as conversions_none
    from marts.campaign_conversions v
    join meta.config_campaigns c on c.name = v.campaign
    join core.accounts a on a.account_name = c.owner
    group by 1
),

spread as (
    select s.person_id, s.spread_score
    from marts.spread_scores s, w
    where s.window_end = w.as_of
)

select
    a.person_id,
    a.account_name,
    f.followers,
    coalesce(f.followers, 0) + coalesce(am.amplifier_followers, 0) as potential_reach,
    s.spread_score,
    coalesce(t.strong_ties, 0) as strong_ties,
    coalesce(t.weak_ties, 0) as weak_ties,
    coalesce(t.friends, 0) as friends,
    coalesce(t.strong_ties, 0) / 150.0 as dunbar_share,
    coalesce(t.friends, 0) / nullif(f.followers, 0) as friends_per_follower,
    e.strong_tie_engagement_share,
    coalesce(c.conversions_strong, 0) as conversions_strong,
    coalesce(c.conversions_weak, 0) as conversions_weak,
    coalesce(c.conversions_none, 0) as conversions_none
from accounts a
left join followers f using (person_id)
left join amplifiers am using (person_id)
left join ties t using (person_id)
left join engagement e using (person_id)
left join conversions c using (person_id)
left join spread s using (person_id)
