{#- DuckDB macros the models share, created by the project's on-run-start. -#}
{% macro tiemeter_duckdb_functions() %}
{% raw %}
-- Macros the models share. The runner creates them before every build.

-- A URL reduced to what identifies a page: no scheme, no "www.", lower-case host, no fragment,
-- no tracking parameters, no trailing slash. Two links to one post compare equal.
CREATE OR REPLACE MACRO tiemeter_norm_url(u) AS (
    CASE WHEN u IS NULL OR trim(u) = '' THEN NULL ELSE
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(lower(regexp_extract(trim(u), '^(?:[a-zA-Z]+://)?([^/?#]*)', 1)), '^www\.', '')
                    || regexp_extract(trim(u), '^(?:[a-zA-Z]+://)?[^/?#]*([^#]*)', 1),
                    '([?&])(utm_[a-z]+|fbclid|gclid)=[^&]*', '\1', 'g'),
                '([?&])&+', '\1', 'g'),
            '[?&]+$', ''),
        '/+(\?|$)', '\1')
    END
);

-- The X username a profile URL points at (twitter.com/<name> or x.com/<name>), else NULL.
CREATE OR REPLACE MACRO tiemeter_x_handle_from_url(u) AS (
    nullif(lower(regexp_extract(
        trim(coalesce(u, '')),
        '^(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?@?([A-Za-z0-9_]{1,15})/?(?:[?#].*)?$', 1)), '')
);

-- A person key from an e-mail address: md5 of the trimmed, lower-cased address (Gravatar's hash).
CREATE OR REPLACE MACRO tiemeter_email_hash(e) AS (
    CASE WHEN e IS NULL OR trim(e) = '' THEN NULL ELSE md5(lower(trim(e))) END
);

-- Which metric snapshot describes the state at as_of: the latest one taken at or before it, else
-- the earliest one after it. The smallest rank wins (used with arg_min; one pass, no window sort).
-- Seconds from epoch(): subtracting two TIMESTAMPTZ goes through ICU's calendar and is ~100x slower.
CREATE OR REPLACE MACRO tiemeter_snapshot_rank(observed_at, as_of) AS (
    CASE WHEN observed_at <= as_of THEN epoch(as_of) - epoch(observed_at)
         ELSE 1e12 + epoch(observed_at) - epoch(as_of) END
);

-- Identity keys: a placeholder is never a key (docs/metrics.md, "Identity").
-- The Gravatar hash of an empty e-mail: md5('') (WordPress before 6.8) or sha256('') (6.8 on).
CREATE OR REPLACE MACRO tiemeter_placeholder_email_hash(h) AS (
    h IS NULL OR trim(h) = '' OR lower(trim(h)) IN (md5(''), sha256(''))
);

-- A blank name, or one that blog and comment systems put where the commenter gave none
-- (WordPress's "Anonymous" and its translations, Blogger's "Anonymous", Disqus's "Guest").
CREATE OR REPLACE MACRO tiemeter_placeholder_name(n) AS (
    n IS NULL OR regexp_replace(lower(trim(n)), '^[\s\-_.]+|[\s\-_.]+$', '', 'g') IN (
        '', 'anonymous', 'anon', 'anonymous coward', 'anonymous user', 'guest', 'unknown', 'none', 'null', 'n/a',
        'anonyme', 'anonym', 'anónimo', 'anonimo', 'anônimo', 'anoniem', 'anonim', 'anonimowy', 'аноним',
        '匿名', 'deleted', '[deleted]'
    )
);

-- A blog post author's identity key: by name on its site; a post whose author name is blank or a
-- placeholder is keyed by the post, so unnamed authors are never merged into one person.
CREATE OR REPLACE MACRO tiemeter_post_author_key(site, author_name, post_id) AS (
    'blog:' || site || CASE WHEN tiemeter_placeholder_name(author_name) THEN ':post:' || post_id
                            ELSE ':author:' || lower(trim(author_name)) END
);
{% endraw %}
{% endmacro %}
