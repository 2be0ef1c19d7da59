"""Identity rules, each on its own: who is merged into one person and who is not."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from scenario import T0, XScenario
from transform_helpers import build_scenario, rows

MARK, ALICE, CAROL, AMBIG1, AMBIG2, BOB = "1", "2", "5", "7", "8", "3"
POST = "example.blog/appeal"
CONFIG = {
    "accounts": [{"name": "Mark", "x_username": "mark"}],
    "blogs": [
        {
            "name": "grow",
            "site_url": "https://example.blog/",
            "feed_url": "https://example.blog/feed/",
            "owner": "Mark",
        }
    ],
}


def md5(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


def comment(
    cid, name, *, url=None, email=None, username=None, parent=None, kind="comment", post_author=False, days=1
):
    return (
        f"grow:feed:{cid}", "grow", POST, f"grow:feed:{parent}" if parent else None, name, url,
        md5(email) if email else None, username, T0 + timedelta(days=days), "text", kind, post_author, "feed",
    )  # fmt: skip


POSTS = [
    (POST, "grow", "https://example.blog/appeal/", "A door for Christmas", "Mark Schaefer", T0, 6, "feed")
]
COMMENTS = [
    comment("c1", "Alice", url="https://twitter.com/Alice", email="Alice@Example.com "),  # X profile URL
    comment(
        "c2", "Mark Schaefer", parent="c1", post_author=True, email="mark@example.blog"
    ),  # the owner answers
    comment("c3", "Zed", username="twitter-5"),  # Disqus username twitter-<id>
    comment("c4", "Some other blog", url="https://other.example/post", kind="pingback"),
    comment("c5", "Bo", url="https://x.com/ambig"),  # two X users have had that handle: ambiguous
    comment("c6", "Alice S.", email="alice@example.com", days=30),  # same e-mail hash on one site
    comment("c7", "Frank", url="https://frank.example"),  # only the mapping file knows Frank is @bob
    comment(
        "c8", "Una", url="https://twitter.com/alice", username="twitter-7"
    ),  # URL says alice, Disqus says user 7
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from support import run_cli

    from tiemeter.settings import Home

    base = tmp_path_factory.mktemp("identity")
    home = Home.resolve(base / "home").ensure()
    s = XScenario()
    s.user(MARK, "mark", 1000)
    s.user(ALICE, "alice", 50)
    s.user(CAROL, "carol", 10)
    s.user(AMBIG1, "ambig", 1)
    s.user(AMBIG2, "Ambig", 2)  # a handle reused by another account
    s.user(BOB, "bob", 200)
    s.tweet("300", ALICE, T0, "hi @mark", mentions=(MARK,))
    assert run_cli(home, "import", "twarc", "--no-load", str(s.write(base / "p.jsonl"))).code == 0
    mapping = base / "identities.csv"
    mapping.write_text("person,kind,value,site\nfrank,commenter_name,Frank,grow\nfrank,x_username,@Bob,\n")
    build_scenario(home, CONFIG, POSTS, COMMENTS, identities=mapping)
    return home


def person_of(home) -> dict[str, str]:
    return dict(rows(home, "SELECT identity_key, person_id FROM core.identities"))


def commenter(home, comment_id: str) -> str:
    return rows(
        home,
        "SELECT actor_person_id FROM core.interactions WHERE content_id = ?",
        [f"grow:feed:{comment_id}"],
    )[0][0]


def test_same_x_user_id(built):
    assert person_of(built)[f"x:{ALICE}"] == f"x:{ALICE}"


def test_commenter_url_pointing_at_x_profile(built):
    assert commenter(built, "c1") == f"x:{ALICE}"
    rule = rows(
        built,
        "SELECT rule FROM core.identities WHERE identity_key = ?",
        [f"blog:grow:email:{md5('alice@example.com')}"],
    )
    assert rule == [("x_profile_url",)]


def test_disqus_username_twitter_id(built):
    assert commenter(built, "c3") == f"x:{CAROL}"


def test_same_email_hash_on_one_site_is_one_identity(built):
    assert commenter(built, "c6") == commenter(built, "c1")
    keys = [k for k in person_of(built) if k.startswith("blog:grow:email:")]
    assert sorted(keys) == sorted(
        {f"blog:grow:email:{md5('alice@example.com')}", f"blog:grow:email:{md5('mark@example.blog')}"}
    )


def test_post_author_replies_belong_to_the_owner(built):
    assert commenter(built, "c2") == f"x:{MARK}"
    edge = rows(
        built, "SELECT kind, target_person_id FROM core.interactions WHERE content_id = 'grow:feed:c2'"
    )
    assert edge == [("comment_reply", f"x:{ALICE}")]


def test_mapping_file(built):
    assert commenter(built, "c7") == "map:frank"
    assert person_of(built)[f"x:{BOB}"] == "map:frank"


def test_ambiguous_cases_are_not_merged(built):
    status = dict(
        rows(built, "SELECT display_name, link_status FROM core.identities WHERE identity_kind = 'commenter'")
    )
    assert status["Bo"].startswith("ambiguous") and status["Una"].startswith("ambiguous")
    assert commenter(built, "c5").startswith("blog:grow:name:bo|")
    assert commenter(built, "c8") == "blog:grow:user:twitter-7"


def test_pingback_is_kept_but_not_a_person(built):
    edge = rows(
        built,
        "SELECT kind, actor_person_id, actor_label, target_person_id FROM core.interactions WHERE content_id = 'grow:feed:c4'",
    )
    assert edge == [("pingback", None, "https://other.example/post", f"x:{MARK}")]
    people = {r[0] for r in rows(built, "SELECT display_name FROM core.persons")}
    assert "Some other blog" not in people


def test_blog_and_x_make_a_multi_channel_tie(built):
    got = dict(rows(built, "SELECT replace(person_id, 'x:', ''), channels FROM marts.tie_strength"))
    # alice: a mention on X, comments c1 and c6 and mark's reply c2 on the blog
    assert got[ALICE] == 2
    interactions = rows(
        built,
        "SELECT interactions_out, interactions_in, active_days FROM marts.tie_strength WHERE person_id = ?",
        [f"x:{ALICE}"],
    )
    assert interactions == [(1, 3, 3)]  # out: c2; in: mention 300, c1, c6; days: Dec 1, Dec 2, Dec 31


def test_post_comments_exclude_the_author(built):
    got = rows(built, "SELECT comments, pingbacks FROM marts.post_reach_engagement WHERE channel = 'blog'")
    assert got == [(6, 1)]  # c1, c3, c5, c6, c7, c8; not the owner's c2; c4 is a pingback


def test_data_checks_pass(built):
    from transform_helpers import failed_checks

    assert failed_checks(built) == []
