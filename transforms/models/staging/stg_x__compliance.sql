/*
model: staging.stg_x__compliance
grain: one row per landed batch-compliance row
description: X batch-compliance output (tweet or user deletions, protections, suspensions).
unique_key: [landing_file, line_no]
*/
with source as (
    select landing_file, line_no, source, retrieved_at, payload
    from raw.x_api_pages
    where kind = 'compliance'
),

renamed as (
    select
        landing_file,
        line_no,
        source,
        retrieved_at as observed_at,
        payload ->> '$.id' as resource_id,
        payload ->> '$.action' as action,
        payload ->> '$.reason' as reason,
        try_cast(payload ->> '$.created_at' as timestamptz) as created_at,
        try_cast(payload ->> '$.redacted_at' as timestamptz) as redacted_at
    from source
)

select * from renamed
