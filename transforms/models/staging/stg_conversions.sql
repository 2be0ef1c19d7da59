{{ config(materialized='view', schema='staging') }}

with source as (
    select landing_file, line_no, retrieved_at, payload
    from {{ source('raw', 'conversions') }}
),

parsed as (
    select landing_file, line_no, retrieved_at,
        json_transform(payload, '{"row": {"email": "VARCHAR", "x_handle": "VARCHAR", "name": "VARCHAR",
            "url": "VARCHAR", "amount": "VARCHAR", "currency": "VARCHAR", "occurred_at": "VARCHAR",
            "campaign": "VARCHAR"}, "parsed": {"amount": "VARCHAR", "occurred_at": "VARCHAR"}, "line": "BIGINT", "__tiemeter": {"source_file": "VARCHAR", "source_sha256": "VARCHAR"}}') as p,
        payload -> '$.extra' as extra
    from source
),

renamed as (
    select
        landing_file,
        line_no,
        p.__tiemeter.source_file as source_file,
        p.__tiemeter.source_sha256 as source_sha256,
        retrieved_at,
        p.line as source_line,
        tiemeter_email_hash(p.row.email) as email_hash,
        nullif(lower(ltrim(p.row.x_handle, '@')), '') as x_handle,
        nullif(trim(p.row.name), '') as name,
        nullif(trim(p.row.url), '') as url,
        coalesce(cast(p.parsed.amount as decimal(18, 2)), try_cast(p.row.amount as decimal(18, 2))) as amount,
        nullif(upper(trim(p.row.currency)), '') as currency,
        coalesce(cast(p.parsed.occurred_at as timestamptz), try_cast(p.row.occurred_at as timestamptz))
            as occurred_at,
        nullif(trim(p.row.campaign), '') as campaign,
        extra
    from parsed
)

select * exclude (source_sha256, retrieved_at) from renamed
where amount is not null and occurred_at is not null
qualify row_number() over (
    partition by coalesce(source_sha256, landing_file), source_line order by retrieved_at desc, landing_file desc
) = 1
