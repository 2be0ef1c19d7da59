{{ config(materialized='view', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

ends as (
    select window_end, window_end - to_days(w.window_days) as window_start
    from (select distinct window_end from {{ ref('engagement_edges') }}), w
),

received as (
    select e.window_end, i.target_person_id as person_id,
        count(*) filter (where i.kind = 'retweet') as retweets,
        count(*) filter (where i.kind in ('mention', 'reply')) as mentions
    from ends e
    join {{ ref('interactions') }} i on i.occurred_at <= e.window_end and i.occurred_at > e.window_start
    where i.actor_person_id is not null
    group by all
),

people as (
    select n.window_end, n.person_id, coalesce(pf.followers, 0) as followers,
        coalesce(r.retweets, 0) as retweets, coalesce(r.mentions, 0) as mentions
    from {{ ref('network_pagerank') }} n
    left join received r using (window_end, person_id)
    left join (
        select i.person_id, max(f.followers) as followers
        from {{ ref('identities') }} i join {{ ref('follower_counts') }} f on f.user_id = i.x_user_id
        where i.identity_kind = 'x_user' group by 1
    ) pf using (person_id)
),

ranked as (
    select window_end,
        (2 * rank() over (partition by window_end order by followers)
            + count(*) over (partition by window_end, followers) - 1) / 2.0 as r_followers,
        (2 * rank() over (partition by window_end order by retweets)
            + count(*) over (partition by window_end, retweets) - 1) / 2.0 as r_retweets,
        (2 * rank() over (partition by window_end order by mentions)
            + count(*) over (partition by window_end, mentions) - 1) / 2.0 as r_mentions
    from people
)

select window_end, 'followers' as ranking_a, 'retweets' as ranking_b, count(*) as people,
    case when count(*) >= 3 and not isnan(corr(r_followers, r_retweets)) then corr(r_followers, r_retweets) end as spearman_rho
from ranked group by window_end
union all
select window_end, 'followers', 'mentions', count(*), case when count(*) >= 3 and not isnan(corr(r_followers, r_mentions)) then corr(r_followers, r_mentions) end
from ranked group by window_end
union all
select window_end, 'retweets', 'mentions', count(*), case when count(*) >= 3 and not isnan(corr(r_retweets, r_mentions)) then corr(r_retweets, r_mentions) end
from ranked group by window_end
