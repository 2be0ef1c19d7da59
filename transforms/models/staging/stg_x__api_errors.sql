/*
model: staging.stg_x__api_errors
grain: one row per entry of a landed page's `errors` array
description: Partial errors that X returns beside the data (deleted, protected, withheld or suspended items).
unique_key: [landing_file, line_no, item_no]
*/
with source as (
    select landing_file, line_no, source, retrieved_at,
        unnest(errors) as e, generate_subscripts(errors, 1) as item_no
    from staging.stg_x__pages
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
