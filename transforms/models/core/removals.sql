{{ config(materialized='table', schema='core') }}

with states as (
    -- each event: which state of its tweet or user it sets, and whether it sets or clears it
    select resource_type, resource_id, created_at, observed_at,
        case
            when resource_type = 'tweet' and action in ('delete', 'undelete') then 'deleted'
            when resource_type = 'tweet' and action in ('drop', 'undrop') then 'dropped'
            when resource_type = 'tweet' and action = 'withheld' then 'withheld'
            when action in ('user_delete', 'user_undelete') then 'deleted'
            when action in ('user_suspend', 'user_unsuspend') then 'suspended'
            when action in ('user_protect', 'user_unprotect') then 'protected'
            when action = 'user_withheld' then 'withheld'
            -- a batch user row: the reason says which state
            when resource_type = 'user' and action = 'delete' then case lower(coalesce(reason, ''))
                when 'suspended' then 'suspended' when 'protected' then 'protected' else 'deleted' end
            when resource_type = 'user' and action = 'undelete' then 'deleted'
        end as state,
        action not in ('undelete', 'undrop', 'user_undelete', 'user_unsuspend', 'user_unprotect') as sets
    from {{ ref('x_compliance') }}
),

latest as (
    select resource_type, resource_id, state,
        arg_max(sets, struct_pack(t := coalesce(created_at, observed_at), o := observed_at)) as stands,
        max(created_at) as event_at, max(observed_at) as observed_at
    from states
    where state is not null
    group by resource_type, resource_id, state
),

from_compliance as (
    select resource_type, resource_id, state as reason, event_at, observed_at, 'compliance' as source
    from latest
    where stands
),

from_errors as (
    select 'tweet' as resource_type, resource_id,
        case when title = 'Not Found Error' then 'deleted' else 'unavailable' end as reason,
        cast(null as timestamptz) as event_at, last_seen_at as observed_at, 'api_error' as source
    from {{ ref('x_api_errors') }}
    where resource_type = 'tweet' and title in ('Not Found Error', 'Authorization Error') and resource_id is not null
),

all_removals as (
    select r.resource_type,
        case when r.resource_type = 'tweet' then coalesce(v.tweet_id, r.resource_id) else r.resource_id end as resource_id,
        r.reason, r.event_at, r.observed_at, r.source,
        case r.reason when 'deleted' then 1 when 'suspended' then 2 when 'protected' then 3 when 'dropped' then 4
            when 'unavailable' then 5 else 6 end as priority
    from (select * from from_compliance union all select * from from_errors) r
    left join {{ ref('tweet_versions') }} v on r.resource_type = 'tweet' and v.version_id = r.resource_id
)

select
    resource_type,
    resource_id,
    arg_min(reason, struct_pack(p := priority, s := source)) as reason,
    arg_min(reason, struct_pack(p := priority, s := source)) <> 'withheld' as removes_text,
    arg_min(event_at, struct_pack(p := priority, s := source)) as event_at,
    arg_min(observed_at, struct_pack(p := priority, s := source)) as observed_at,
    arg_min(source, struct_pack(p := priority, s := source)) as source
from all_removals
group by resource_type, resource_id
