{{ config(materialized='view', schema='staging') }}

with source as (
    select landing_file, line_no, source, retrieved_at, payload,
        (json_keys(payload, '$.data'))[1] as event
    from {{ source('raw', 'x_api_pages') }}
    where kind = 'compliance'
),

parsed as (
    select *,
        case when event is not null then json_extract(payload, '$.data."' || event || '"') end as body
    from source
),

renamed as (
    select
        {{ landing_provenance() }},
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
