/*
model: core.x_compliance
grain: one row per (resource id, action, event time) from X batch-compliance output or the compliance streams
description: >
  Deletions and other compliance events, about a tweet or a user (resource_type). A stream event
  names which; a batch-compliance row does not (its job's type does), so its id is a user when X
  data showed that id as a user (a profile or a tweet's author) and never as a tweet, else a tweet.
  core.removals turns the events that still stand into removals.
unique_key: [resource_id, action, created_at]
columns:
  resource_id: {description: "Tweet or user id the event is about.", tests: [not_null]}
  resource_type: {description: "tweet or user.", tests: [not_null, {accepted_values: [tweet, user]}]}
  action: {description: "Batch: delete, scrub_geo, ...; stream: the event (delete, drop, undrop, withheld, tweet_edit, user_delete, user_undelete, user_suspend, user_unsuspend, user_protect, user_unprotect, user_withheld, ...).", tests: [not_null]}
  reason: {description: "deleted, protected, suspended, deactivated, ... (batch rows)."}
  author_id: {description: "For a tweet stream event, the tweet's author."}
  created_at: {description: "When the event happened (a stream event's event_at)."}
  redacted_at: {description: "When X redacted the item, if given."}
  observed_at: {description: "When the compliance file was retrieved or imported."}
*/
with events as (
    select resource_id, action, any_value(reason) as reason, any_value(resource_type) as stated_type,
        any_value(author_id) as author_id, created_at, max(redacted_at) as redacted_at, max(observed_at) as observed_at
    from staging.stg_x__compliance
    where resource_id is not null
    group by resource_id, action, created_at
),

seen_users as (
    select user_id from staging.stg_x__api_users where user_id is not null
    union
    select author_id from staging.stg_x__api_tweets where author_id is not null
    union
    select author_id from staging.stg_x__archive_tweets where author_id is not null
)

select
    e.resource_id,
    coalesce(
        e.stated_type,
        case when u.user_id is not null and v.version_id is null then 'user' else 'tweet' end
    ) as resource_type,
    e.action,
    e.reason,
    e.author_id,
    e.created_at,
    e.redacted_at,
    e.observed_at
from events e
left join seen_users u on u.user_id = e.resource_id
left join core.tweet_versions v on v.version_id = e.resource_id
