"""The data a fake blog serves (``tiemeter.demo.fake_blog``), given as a plain Python structure.

::

    {
      "title": "grow",                                   # the blog's name (optional)
      "users": [                                         # the blog's WordPress users: its authors
        {"id": 1, "name": "Mark", "email": "mark@example.org", "disqus_username": "markw"}
      ],
      "posts": [
        {"id": 7, "slug": "appeal", "title": "An appeal", "author": 1,      # author: a users[].id
         "published": "2012-03-01T10:00:00Z", "modified": "...",            # modified defaults to published
         "text": "<p>HTML body</p>"}
      ],
      "comments": [
        {"id": 101, "post": 7, "parent": null,           # parent: another comment's id, or null
         "author_name": "Ann", "author_url": "https://x.com/ann", "author_email": "ann@example.org",
         "user_id": 0,                                   # a users[].id when the comment is by a blog user
         "disqus_username": "twitter-12345",             # optional: the commenter's Disqus account
         "published": "2012-03-01T11:00:00Z",
         "text": "Plain or HTML text",
         "kind": "comment"}                              # comment | pingback | trackback
      ]
    }

Times are ISO 8601 (UTC when no offset). A post's URL is ``/<yyyy>/<mm>/<dd>/<slug>/`` under the
server; a comment by a user (``user_id``) takes that user's name, e-mail and Disqus username unless
given. Everything else has a default, so ``{"posts": [...], "comments": [...]}`` is enough.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class User:
    id: int
    name: str
    email: str = ""
    disqus_username: str = ""


@dataclass
class Post:
    id: int
    slug: str
    title: str
    author: int
    published: datetime
    modified: datetime
    text: str = ""

    @property
    def path(self) -> str:
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"


@dataclass
class Comment:
    id: int
    post: int
    author_name: str
    published: datetime
    text: str
    parent: int | None = None
    author_url: str = ""
    author_email: str = ""
    user_id: int = 0
    disqus_username: str = ""
    kind: str = "comment"

    @property
    def email_hash(self) -> str:
        return hashlib.md5(self.author_email.strip().lower().encode()).hexdigest()


@dataclass
class BlogDataset:
    title: str = "A fake blog"
    users: list[User] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BlogDataset:
        users = [User(**u) for u in data.get("users", [])]
        by_id = {u.id: u for u in users}
        posts = []
        for raw in data.get("posts", []):
            published = parse_time(raw["published"])
            posts.append(
                Post(
                    id=int(raw["id"]),
                    slug=raw.get("slug") or f"post-{raw['id']}",
                    title=raw.get("title", ""),
                    author=int(raw.get("author") or (users[0].id if users else 1)),
                    published=published,
                    modified=parse_time(raw.get("modified") or published),
                    text=raw.get("text", ""),
                )
            )
        comments = []
        for raw in data.get("comments", []):
            user = by_id.get(int(raw.get("user_id") or 0))
            comments.append(
                Comment(
                    id=int(raw["id"]),
                    post=int(raw["post"]),
                    parent=int(raw["parent"]) if raw.get("parent") else None,
                    author_name=raw.get("author_name") or (user.name if user else "Anonymous"),
                    author_url=raw.get("author_url", ""),
                    author_email=raw.get("author_email") or (user.email if user else ""),
                    user_id=user.id if user else 0,
                    disqus_username=raw.get("disqus_username") or (user.disqus_username if user else ""),
                    published=parse_time(raw["published"]),
                    text=raw.get("text", ""),
                    kind=raw.get("kind", "comment"),
                )
            )
        return cls(title=data.get("title", cls.title), users=users, posts=posts, comments=comments)

    def user(self, user_id: int) -> User:
        for user in self.users:
            if user.id == user_id:
                return user
        return User(user_id, f"user {user_id}")

    def post(self, post_id: int) -> Post | None:
        return next((p for p in self.posts if p.id == post_id), None)

    def comment(self, comment_id: int) -> Comment | None:
        return next((c for c in self.comments if c.id == comment_id), None)

    def comments_of(self, post_id: int) -> list[Comment]:
        return [c for c in self.comments if c.post == post_id]


def sample_dataset() -> BlogDataset:
    """A small blog: two posts, threaded comments, a reply by the author, a pingback and a trackback."""
    return BlogDataset.from_dict(
        {
            "title": "grow",
            "users": [{"id": 1, "name": "Mark", "email": "mark@example.org", "disqus_username": "markw"}],
            "posts": [
                {
                    "id": 1,
                    "slug": "hello",
                    "title": "Hello & welcome",
                    "author": 1,
                    "published": "2012-01-10T09:00:00Z",
                    "text": "<p>First post.</p>",
                },
                {
                    "id": 2,
                    "slug": "appeal",
                    "title": "An appeal",
                    "author": 1,
                    "published": "2012-03-01T10:00:00Z",
                    "text": "<p>Please give.</p>",
                },
            ],
            "comments": [
                {
                    "id": 11,
                    "post": 1,
                    "author_name": "Ann",
                    "author_url": "https://twitter.com/ann",
                    "author_email": "Ann@Example.org ",
                    "disqus_username": "twitter-1001",
                    "published": "2012-01-10T10:00:00Z",
                    "text": "Welcome!",
                },
                {
                    "id": 12,
                    "post": 1,
                    "parent": 11,
                    "user_id": 1,
                    "published": "2012-01-10T11:00:00Z",
                    "text": "Thanks, Ann.",
                },
                {
                    "id": 13,
                    "post": 2,
                    "author_name": "Bob",
                    "author_email": "bob@example.net",
                    "published": "2012-03-01T12:00:00Z",
                    "text": "Donated.",
                },
                {
                    "id": 14,
                    "post": 2,
                    "parent": 13,
                    "author_name": "Ann",
                    "author_email": "ann@example.org",
                    "disqus_username": "twitter-1001",
                    "published": "2012-03-01T13:00:00Z",
                    "text": "Me too.",
                },
                {
                    "id": 15,
                    "post": 2,
                    "author_name": "Another blog",
                    "author_url": "https://other.example/x",
                    "published": "2012-03-02T08:00:00Z",
                    "text": "An appeal worth reading",
                    "kind": "pingback",
                },
                {
                    "id": 16,
                    "post": 2,
                    "author_name": "Third blog",
                    "author_url": "https://third.example/y",
                    "published": "2012-03-02T09:00:00Z",
                    "text": "Linked from here",
                    "kind": "trackback",
                },
            ],
        }
    )
