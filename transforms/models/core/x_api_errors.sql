{{ config(materialized='table', schema='core') }}

select
    md5(concat_ws('|', coalesce(resource_type, ''), coalesce(resource_id, ''), coalesce(title, ''), coalesce(detail, ''))) as error_key,
    resource_type,
    resource_id,
    any_value(parameter) as parameter,
    title,
    detail,
    any_value(error_type) as error_type,
    min(observed_at) as first_seen_at,
    max(observed_at) as last_seen_at,
    count(*) as occurrences
from {{ ref('stg_x__api_errors') }}
group by resource_type, resource_id, title, detail
