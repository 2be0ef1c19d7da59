/*
model: marts.campaign_amplifiers
grain: one row per (campaign, account that shared it)
description: >
  Everyone who put the campaign in front of their followers: authors of link tweets, retweeters
  (from retweet tweets or X's retweeted_by lists) and quoters, with their size class and their tie
  to the campaign owner.
unique_key: [campaign, user_id]
columns:
  campaign: {description: "The [[campaigns]] name.", tests: [not_null]}
  user_id: {description: "The amplifier's X user id.", tests: [not_null]}
  person_id: {description: "The amplifier's person.", tests: [{relationships: core.persons.person_id}]}
  username: {description: "The amplifier's @username."}
  followers: {description: "Followers at the reference time (what size_class uses).", tests: [not_null]}
  size_class: {description: "heavyweight (followers >= metrics.heavyweight_followers) or regular.", tests: [not_null, {accepted_values: [heavyweight, regular]}]}
  is_owner: {description: "The amplifier is the campaign's owner.", tests: [not_null]}
  tie_class: {description: "The amplifier's tie with the owner (strong, weak, none).", tests: [not_null, {accepted_values: [strong, weak, none]}]}
  shares: {description: "Tweets, retweets and quotes by which the amplifier shared it (marts.campaign_shares).", tests: [not_null]}
  potential_impressions: {description: "Exposure of the amplifier's shares: the sum over them of the amplifier's followers at tweet time (a retweeted_by-only share at followers at the reference time).", tests: [not_null]}
  first_shared_at: {description: "First share."}
  potential_impressions: {description: "Exposure: followers x shares (each share put the campaign before the amplifier's followers at the reference time).", tests: [not_null]}
*/
with w as (select * from marts.analysis_window),

owners as (
    select c.name as campaign, a.person_id as owner_person_id
    from meta.config_campaigns c
    left join core.accounts a on a.account_name = c.owner
),

shares as (
    select campaign, user_id, share_id, shared_at as created_at, followers as followers_at_share
    from marts.campaign_shares
)

select
    s.campaign,
    s.user_id,
    i.person_id,
    u.username,
    coalesce(f.followers, 0) as followers,
    case when coalesce(f.followers, 0) >= w.heavyweight_followers then 'heavyweight' else 'regular' end as size_class,
    coalesce(i.person_id = o.owner_person_id, false) as is_owner,
    coalesce(t.tie_class, 'none') as tie_class,
    count(distinct s.share_id) as shares,
    sum(s.followers_at_share) as potential_impressions,
    min(s.created_at) as first_shared_at
from shares s
cross join w
left join owners o using (campaign)
left join core.identities i on i.identity_key = 'x:' || s.user_id
left join core.x_users u on u.user_id = s.user_id
left join marts.follower_counts f on f.user_id = s.user_id
left join marts.tie_strength t on t.account_person_id = o.owner_person_id and t.person_id = i.person_id
group by s.campaign, s.user_id, i.person_id, u.username, f.followers, w.heavyweight_followers, o.owner_person_id, t.tie_class
