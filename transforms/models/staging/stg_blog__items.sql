{{ config(materialized='table', schema='staging') }}

with unioned as (
    select * from {{ ref('stg_blog__feed_items') }}
    union all by name
    select * from {{ ref('stg_blog__wp_items') }}
    union all by name
    select * from {{ ref('stg_blog__wxr_items') }}
    union all by name
    select * from {{ ref('stg_blog__disqus_items') }}
    union all by name
    select * from {{ ref('stg_blog__disqus_xml_items') }}
),

stripped as (
    select *,
        regexp_replace(trim(post_url), '#.*$', '') as url_no_fragment,
        regexp_extract(
            regexp_replace(trim(post_url), '#.*$', ''),
            '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$', ['scheme', 'host', 'rest']
        ) as url,
        -- line breaks for <br> and paragraphs, then no tags
        regexp_replace(regexp_replace(coalesce(html, ''), '<br\s*/?>|</p>\s*', chr(10), 'gi'), '<[^>]*>', '', 'g')
            as html_text,
        nullif(lower(regexp_replace(coalesce(author_email, ''), '^\s+|\s+$', '', 'g')), '') as email
    from unioned
    where nullif(trim(post_url), '') is not null and native_id is not null
),

decoded as (
    -- character references decoded in the text and in author names (feeds leave "&#8211;" in dc:creator):
    -- the named ones, then numeric ones (&#8217; &#x2019;), then &amp; last so that "&amp;lt;" stays "&lt;"
    select * exclude (html_text),
        list_transform([html_text, author_name], s -> replace(array_to_string(list_transform(
            list_transform(string_split(
                replace(replace(replace(replace(replace(replace(s,
                    '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&apos;', ''''), '&nbsp;', ' '), '&hellip;', '…'),
                '&#'), (piece, i) -> {
                    'first': i = 1,
                    'piece': piece,
                    'code': coalesce(
                        try_cast(nullif(regexp_extract(piece, '^([0-9]{1,7});', 1), '') as integer),
                        try_cast('0x' || nullif(regexp_extract(piece, '^[xX]([0-9a-fA-F]{1,6});', 1), '') as integer))
                }),
            p -> case
                when p.first then p.piece
                when p.code is null then '&#' || p.piece
                else case when p.code in (9, 10, 13) or (p.code between 32 and 1114111 and p.code not between 55296 and 57343)
                          then chr(p.code) else '' end
                     || regexp_replace(p.piece, '^([0-9]{1,7}|[xX][0-9a-fA-F]{1,6});', '')
            end), ''), '&amp;', '&')) as decoded_texts
    from stripped
),

cleaned as (
    select * exclude (decoded_texts, author_name),
        regexp_replace(regexp_replace(regexp_replace(decoded_texts[1], '[ \t]+\n', chr(10), 'g'),
            '\n{3,}', chr(10) || chr(10), 'g'), '^\s+|\s+$', '', 'g') as text,
        nullif(trim(decoded_texts[2]), '') as author_name
    from decoded
)

select
    entry_type,
    site,
    source,
    case source when 'wordpress' then 1 when 'wxr' then 2 when 'disqus' then 3 when 'disqus_xml' then 4 else 5 end
        as source_rank,
    landing_file,
    line_no,
    item_no,
    observed_at,
    id_space,
    native_id,
    post_url,
    case
        when url.scheme = '' then url_no_fragment
        else lower(url.scheme) || '://'
            || regexp_replace(lower(url.host), case lower(url.scheme) when 'http' then ':80$' when 'https' then ':443$' else '^$' end, '')
            || case when url.rest = '' then '/' when starts_with(url.rest, '?') then '/' || url.rest else url.rest end
    end as post_id,
    case when entry_type = 'comment' then site || ':' || id_space || ':' || native_id end as comment_id,
    case when parent_native is not null then site || ':' || parent_space || ':' || parent_native end as parent_comment_id,
    parent_space,
    author_name,
    nullif(trim(author_url), '') as author_url,
    coalesce(
        case when not tiemeter_placeholder_email_hash(author_email_hash) then lower(trim(author_email_hash)) end,
        case when email is not null and not regexp_matches(email, '^no-?reply@') then md5(email) end
    ) as author_email_hash,
    author_username,
    published_at,
    comment_count,
    text,
    coalesce(
        kind_hint,
        case when regexp_matches(text, '^\s*\[(…|\.\.\.)\].*\[(…|\.\.\.)\]\s*$', 's') then 'pingback' else 'comment' end
    ) as kind,
    is_post_author_hint
from cleaned
