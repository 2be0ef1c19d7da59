{{ config(materialized='view', schema='staging') }}

with source as (
    select landing_file, line_no, source, kind, retrieved_at, payload,
        payload ->> '$.__tiemeter.account_id' as owner_id
    from {{ source('raw', 'x_archive_follows') }}
),

renamed as (
    select
        {{ landing_provenance() }},
        case when kind = 'follower' then payload ->> '$.follower.accountId' else owner_id end as follower_user_id,
        case when kind = 'follower' then owner_id else payload ->> '$.following.accountId' end as followed_user_id
    from source
)

select * from renamed
