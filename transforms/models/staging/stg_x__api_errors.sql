{{ config(materialized='view', schema='staging') }}

with source as (
    select landing_file, line_no, source, retrieved_at,
        unnest(errors) as e, generate_subscripts(errors, 1) as item_no
    from {{ ref('stg_x__pages') }}
    where len(errors) > 0
),

renamed as (
    select
        landing_file,
        line_no,
        item_no,
        source,
        retrieved_at as observed_at,
        e.resource_type as resource_type,
        coalesce(e.resource_id, e.value) as resource_id,
        e.parameter as parameter,
        e.section as section,
        e.title as title,
        e.detail as detail,
        e.type as error_type
    from source
)

select * from renamed
