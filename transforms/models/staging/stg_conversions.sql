/*
model: staging.stg_conversions
grain: one row per imported conversions CSV row
unique_key: [landing_file, line_no]
*/
with source as (
    select landing_file, line_no, retrieved_at, payload
    from raw.conversions
),

parsed as (
    select landing_file, line_no, retrieved_at,
        json_transform(payload, '{"row": {"email": "VARCHAR", "x_handle": "VARCHAR", "name": "VARCHAR",
            "url": "VARCHAR", "amount": "VARCHAR", "currency": "VARCHAR", "occurred_at": "VARCHAR",
            "campaign": "VARCHAR"}, "line": "BIGINT", "__tiemeter": {"source_file": "VARCHAR"}}') as p,
        payload -> '$.extra' as extra
    from source
),

renamed as (
    select
        landing_file,
        line_no,
        p.__tiemeter.source_file as source_file,
        p.line as source_line,
        tiemeter_email_hash(p.row.email) as email_hash,
        nullif(lower(ltrim(p.row.x_handle, '@')), '') as x_handle,
        nullif(trim(p.row.name), '') as name,
        nullif(trim(p.row.url), '') as url,
        cast(replace(p.row.amount, ',', '') as decimal(18, 2)) as amount,
        nullif(upper(trim(p.row.currency)), '') as currency,
        cast(p.row.occurred_at as timestamptz) as occurred_at,
        nullif(trim(p.row.campaign), '') as campaign,
        extra
    from parsed
)

select * from renamed
