/*
model: core.removed_tweets
grain: one row per tweet that marts must leave out
description: >
  Tweets known to be deleted (batch compliance, or a "Not Found Error" for a tweet), protected or
  suspended (an "Authorization Error"), or withheld. Every mart drops them.
unique_key: [tweet_id]
columns:
  tweet_id: {description: "The removed tweet (its edit chain).", tests: [not_null]}
  reason: {description: "deleted, unavailable or withheld (the first that applies).", tests: [not_null, {accepted_values: [deleted, unavailable, withheld]}]}
*/
with removals as (
    select resource_id as version_id, 'deleted' as reason, 1 as priority
    from core.x_compliance
    where action = 'delete'
    union all
    select resource_id, case when title = 'Not Found Error' then 'deleted' else 'unavailable' end,
        case when title = 'Not Found Error' then 1 else 2 end
    from core.x_api_errors
    where resource_type = 'tweet' and title in ('Not Found Error', 'Authorization Error')
    union all
    select tweet_id, 'withheld', 3 from core.tweets where is_withheld
)

select coalesce(v.tweet_id, r.version_id) as tweet_id, arg_min(r.reason, r.priority) as reason
from removals r
left join core.tweet_versions v on v.version_id = r.version_id
group by 1
