{{ config(materialized='table', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

owners as ({{ campaign_owners() }}),

shares as (
    select campaign, user_id, share_id, shared_at as created_at, followers as followers_at_share
    from {{ ref('campaign_shares') }}
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
left join {{ ref('identities') }} i on i.identity_key = 'x:' || s.user_id
left join {{ ref('x_users') }} u on u.user_id = s.user_id
left join {{ ref('follower_counts') }} f on f.user_id = s.user_id
left join {{ ref('tie_strength') }} t on t.account_person_id = o.owner_person_id and t.person_id = i.person_id
group by s.campaign, s.user_id, i.person_id, u.username, f.followers, w.heavyweight_followers, o.owner_person_id, t.tie_class
