{{ config(materialized='table', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

ends as ({{ spread_windows() }}),

received as ({{ received_in_windows(
    "count(*) as reactions, count(distinct i.actor_person_id) as true_reach,
    count(*) filter (where i.kind = 'retweet') as retweets_received,
    count(*) filter (where i.kind in ('mention', 'reply')) as mentions_received"
) }}),

posted as (
    select e.window_end, p.author_person_id as person_id, count(*) as posts
    from ends e
    join {{ ref('post_reach_engagement') }} p on p.posted_at <= e.window_end and p.posted_at > e.window_start
    group by all
),

person_followers as (
    select i.person_id, max(f.followers) as followers
    from {{ ref('identities') }} i
    join {{ ref('follower_counts') }} f on f.user_id = i.x_user_id
    where i.identity_kind = 'x_user'
    group by i.person_id
),

population as (
    select e.window_end, p.person_id from ends e, (select distinct person_id from {{ ref('persons') }}) p
    where exists (select 1 from received r where r.window_end = e.window_end and r.person_id = p.person_id)
       or exists (select 1 from {{ ref('network_pagerank') }} n where n.window_end = e.window_end and n.person_id = p.person_id)
       or exists (select 1 from {{ ref('accounts_in_scope') }} a where a.person_id = p.person_id)
),

parts as (
    select
        p.window_end, p.person_id,
        coalesce(po.posts, 0) as posts,
        coalesce(r.reactions, 0) as reactions,
        coalesce(r.true_reach, 0) as true_reach,
        coalesce(r.reactions, 0) / greatest(coalesce(po.posts, 0), 1) as amplification,
        coalesce(n.pagerank_scaled, 0) as network_impact,
        f.followers,
        coalesce(r.retweets_received, 0) as retweets_received,
        coalesce(r.mentions_received, 0) as mentions_received
    from population p
    left join received r using (window_end, person_id)
    left join posted po using (window_end, person_id)
    left join {{ ref('network_pagerank') }} n using (window_end, person_id)
    left join person_followers f using (person_id)
),

scaled as (
    select *,
        ln(1 + true_reach) / nullif(max(ln(1 + true_reach)) over (partition by window_end), 0) as s_reach,
        ln(1 + amplification) / nullif(max(ln(1 + amplification)) over (partition by window_end), 0) as s_amplification,
        ln(1 + network_impact) / nullif(max(ln(1 + network_impact)) over (partition by window_end), 0) as s_impact,
        rank() over (partition by window_end order by coalesce(followers, 0) desc) as rank_followers,
        rank() over (partition by window_end order by retweets_received desc) as rank_retweets,
        rank() over (partition by window_end order by mentions_received desc) as rank_mentions
    from parts
)

select
    s.person_id,
    a.account_name,
    s.window_end,
    s.window_end - to_days(w.window_days) as window_start,
    s.posts,
    s.reactions,
    s.true_reach,
    s.amplification,
    s.network_impact,
    round(1 + 99 * (
        w.w_true_reach * coalesce(s.s_reach, 0)
        + w.w_amplification * coalesce(s.s_amplification, 0)
        + w.w_network_impact * coalesce(s.s_impact, 0)
    ) / nullif(w.w_true_reach + w.w_amplification + w.w_network_impact, 0), 1) as spread_score,
    s.followers,
    s.retweets_received,
    s.mentions_received,
    s.rank_followers,
    s.rank_retweets,
    s.rank_mentions
from scaled s
join {{ ref('accounts_in_scope') }} a using (person_id)
cross join w
