{#- JSON structures for DuckDB's json_transform, shared by the staging models: a page is parsed
    once, into typed structs, instead of once per extracted field.
    A model writes {{ json_structure('X_TWEETS_PAGE') }}; the macro gives the quoted literal.
    A tweet, a user, the errors list and the provenance stamp are written once and composed. -#}
{% macro json_structure(name) -%}
{%- set x_tweet = {
  "id": "VARCHAR",
  "author_id": "VARCHAR",
  "created_at": "VARCHAR",
  "text": "VARCHAR",
  "conversation_id": "VARCHAR",
  "lang": "VARCHAR",
  "in_reply_to_user_id": "VARCHAR",
  "possibly_sensitive": "BOOLEAN",
  "edit_history_tweet_ids": [
    "VARCHAR"
  ],
  "referenced_tweets": [
    {
      "type": "VARCHAR",
      "id": "VARCHAR"
    }
  ],
  "entities": {
    "mentions": [
      {
        "id": "VARCHAR",
        "username": "VARCHAR",
        "start": "INTEGER"
      }
    ],
    "urls": [
      {
        "expanded_url": "VARCHAR",
        "unwound_url": "VARCHAR"
      }
    ]
  },
  "public_metrics": {
    "retweet_count": "BIGINT",
    "reply_count": "BIGINT",
    "like_count": "BIGINT",
    "quote_count": "BIGINT",
    "impression_count": "BIGINT",
    "bookmark_count": "BIGINT"
  },
  "withheld": {
    "copyright": "BOOLEAN",
    "country_codes": [
      "VARCHAR"
    ]
  }
} -%}
{%- set x_user = {
  "id": "VARCHAR",
  "username": "VARCHAR",
  "name": "VARCHAR",
  "created_at": "VARCHAR",
  "description": "VARCHAR",
  "location": "VARCHAR",
  "url": "VARCHAR",
  "verified": "BOOLEAN",
  "verified_type": "VARCHAR",
  "protected": "BOOLEAN",
  "profile_image_url": "VARCHAR",
  "public_metrics": {
    "followers_count": "BIGINT",
    "following_count": "BIGINT",
    "tweet_count": "BIGINT",
    "listed_count": "BIGINT"
  },
  "withheld": {
    "country_codes": [
      "VARCHAR"
    ]
  }
} -%}
{%- set x_errors = [
  {
    "value": "VARCHAR",
    "detail": "VARCHAR",
    "title": "VARCHAR",
    "resource_type": "VARCHAR",
    "parameter": "VARCHAR",
    "resource_id": "VARCHAR",
    "section": "VARCHAR",
    "type": "VARCHAR"
  }
] -%}
{%- set x_stamp = {
  "path": "VARCHAR",
  "tweet_id": "VARCHAR"
} -%}
{#- A page of tweets or of users: its data, then what the page includes, the errors and our stamp. -#}
{%- set x_includes = {"tweets": [x_tweet], "users": [x_user]} -%}
{%- set structures = {
  "X_TWEET": x_tweet,
  "X_TWEETS_PAGE": {"data": [x_tweet], "includes": x_includes, "errors": x_errors, "__tiemeter": x_stamp},
  "X_USERS_PAGE": {"data": [x_user], "includes": x_includes, "errors": x_errors, "__tiemeter": x_stamp},
  "X_STREAM_PAGE": {
    "data": x_tweet
  },
  "X_FLAT_REFERENCES": {
    "referenced_tweets": [
      x_tweet
    ]
  },
  "X_FLAT_USERS": {
    "author": x_user,
    "in_reply_to_user": x_user,
    "referenced_tweets": [
      {
        "author": x_user
      }
    ],
    "entities": {
      "mentions": [
        x_user
      ]
    }
  },
  "FEED_DOCUMENT": {
    "version": "VARCHAR",
    "bozo": "BOOLEAN",
    "bozo_exception": "VARCHAR",
    "feed": {
      "title": "VARCHAR",
      "link": "VARCHAR",
      "id": "VARCHAR",
      "generator": "VARCHAR"
    },
    "entries": [
      {
        "id": "VARCHAR",
        "link": "VARCHAR",
        "title": "VARCHAR",
        "author": "VARCHAR",
        "author_detail": {
          "name": "VARCHAR",
          "email": "VARCHAR",
          "href": "VARCHAR"
        },
        "published_parsed": "VARCHAR",
        "updated_parsed": "VARCHAR",
        "created_parsed": "VARCHAR",
        "summary": "VARCHAR",
        "content": [
          {
            "value": "VARCHAR",
            "type": "VARCHAR"
          }
        ],
        "links": [
          {
            "rel": "VARCHAR",
            "href": "VARCHAR",
            "type": "VARCHAR",
            "thr:count": "VARCHAR"
          }
        ],
        "wfw_commentrss": "VARCHAR",
        "slash_comments": "VARCHAR",
        "thr_total": "VARCHAR",
        "thr_in-reply-to": {
          "ref": "VARCHAR",
          "href": "VARCHAR"
        },
        "feedburner_origlink": "VARCHAR"
      }
    ]
  },
  "WP_POSTS_PAGE": {
    "items": [
      {
        "id": "BIGINT",
        "date": "VARCHAR",
        "date_gmt": "VARCHAR",
        "modified_gmt": "VARCHAR",
        "link": "VARCHAR",
        "guid": {
          "rendered": "VARCHAR"
        },
        "title": {
          "rendered": "VARCHAR"
        },
        "author": "BIGINT",
        "status": "VARCHAR",
        "type": "VARCHAR",
        "_embedded": {
          "author": [
            {
              "id": "BIGINT",
              "name": "VARCHAR"
            }
          ]
        }
      }
    ]
  },
  "WP_COMMENTS_PAGE": {
    "items": [
      {
        "id": "BIGINT",
        "post": "BIGINT",
        "parent": "BIGINT",
        "author": "BIGINT",
        "author_name": "VARCHAR",
        "author_url": "VARCHAR",
        "date": "VARCHAR",
        "date_gmt": "VARCHAR",
        "content": {
          "rendered": "VARCHAR"
        },
        "link": "VARCHAR",
        "status": "VARCHAR",
        "type": "VARCHAR",
        "author_avatar_urls": "JSON"
      }
    ]
  },
  "DISQUS_POSTS_PAGE": {
    "response": [
      {
        "id": "VARCHAR",
        "parent": "VARCHAR",
        "createdAt": "VARCHAR",
        "message": "VARCHAR",
        "isDeleted": "BOOLEAN",
        "isSpam": "BOOLEAN",
        "isApproved": "BOOLEAN",
        "author": {
          "id": "VARCHAR",
          "username": "VARCHAR",
          "name": "VARCHAR",
          "url": "VARCHAR",
          "isAnonymous": "BOOLEAN"
        },
        "thread": {
          "id": "VARCHAR",
          "link": "VARCHAR",
          "title": "VARCHAR",
          "createdAt": "VARCHAR",
          "author": "VARCHAR",
          "posts": "BIGINT",
          "isDeleted": "BOOLEAN"
        }
      }
    ]
  },
  "WXR_ITEM": {
    "title": "VARCHAR",
    "link": "VARCHAR",
    "pubDate": "VARCHAR",
    "dc:creator": "VARCHAR",
    "guid": "JSON",
    "wp:post_id": "VARCHAR",
    "wp:post_date_gmt": "VARCHAR",
    "wp:post_type": "VARCHAR",
    "wp:status": "VARCHAR",
    "wp:comment": [
      {
        "wp:comment_id": "VARCHAR",
        "wp:comment_author": "VARCHAR",
        "wp:comment_author_email": "VARCHAR",
        "wp:comment_author_url": "VARCHAR",
        "wp:comment_date": "VARCHAR",
        "wp:comment_date_gmt": "VARCHAR",
        "wp:comment_content": "VARCHAR",
        "wp:comment_approved": "VARCHAR",
        "wp:comment_type": "VARCHAR",
        "wp:comment_parent": "VARCHAR",
        "wp:comment_user_id": "VARCHAR"
      }
    ]
  },
  "WXR_AUTHOR": {
    "wp:author_id": "VARCHAR",
    "wp:author_login": "VARCHAR",
    "wp:author_email": "VARCHAR",
    "wp:author_display_name": "VARCHAR"
  },
  "DISQUS_XML_THREAD": {
    "@dsq:id": "VARCHAR",
    "link": "VARCHAR",
    "title": "VARCHAR",
    "createdAt": "VARCHAR",
    "author": {
      "name": "VARCHAR",
      "email": "VARCHAR",
      "username": "VARCHAR",
      "isAnonymous": "VARCHAR"
    },
    "isDeleted": "VARCHAR"
  },
  "DISQUS_XML_POST": {
    "@dsq:id": "VARCHAR",
    "message": "VARCHAR",
    "createdAt": "VARCHAR",
    "isDeleted": "VARCHAR",
    "isSpam": "VARCHAR",
    "author": {
      "name": "VARCHAR",
      "email": "VARCHAR",
      "username": "VARCHAR",
      "isAnonymous": "VARCHAR"
    },
    "thread": {
      "@dsq:id": "VARCHAR"
    },
    "parent": {
      "@dsq:id": "VARCHAR"
    }
  }
} -%}
{%- if name not in structures -%}
    {%- do exceptions.raise_compiler_error('unknown JSON structure ' ~ name) -%}
{%- endif -%}
'{{ tojson(structures[name]) }}'
{%- endmacro %}
