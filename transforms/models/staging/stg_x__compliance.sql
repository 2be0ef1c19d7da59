/*
model: staging.stg_x__compliance
grain: one row per landed compliance row or compliance stream event
description: >
  X compliance output in one shape. A batch-compliance row ({id, action, reason, created_at,
  redacted_at}) does not say whether its id is a tweet or a user (the job's type does):
  resource_type is null and core.x_compliance resolves it. A compliance stream event
  ({"data": {"<event>": {"tweet": {id, author_id}} or {"user": {id}}, "event_at"}}) names both:
  action is the event (delete, drop, undrop, withheld, tweet_edit, scrub_geo, user_delete,
  user_undelete, user_suspend, user_unsuspend, user_protect, user_unprotect, user_withheld,
  user_profile_modification), created_at its event_at.
unique_key: [landing_file, line_no]
*/
with source as (
    select landing_file, line_no, source, retrieved_at, payload,
        (json_keys(payload, '$.data'))[1] as event
    from raw.x_api_pages
    where kind = 'compliance'
),

parsed as (
    select *,
        case when event is not null then json_extract(payload, '$.data."' || event || '"') end as body
    from source
),

renamed as (
    select
        landing_file,
        line_no,
        source,
        retrieved_at as observed_at,
        coalesce(payload ->> '$.id', body ->> '$.tweet.id', body ->> '$.user.id') as resource_id,
        case
            when body ->> '$.tweet.id' is not null then 'tweet'
            when body ->> '$.user.id' is not null then 'user'
        end as resource_type,
        body ->> '$.tweet.author_id' as author_id,
        coalesce(payload ->> '$.action', event) as action,
        payload ->> '$.reason' as reason,
        try_cast(coalesce(payload ->> '$.created_at', body ->> '$.event_at') as timestamptz) as created_at,
        try_cast(payload ->> '$.redacted_at' as timestamptz) as redacted_at
    from parsed
)

select * from renamed
