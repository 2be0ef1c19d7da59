"""The {grow} case study, replayed: a deterministic generator of API-shaped data.

The story (see DESIGN.md): a blogger's Christmas charity appeal was tweeted 446 times; two
heavyweights with 100k+ and 500k+ followers "heavily tweeted" it, five times each, for over 3
million potential impressions (each tweet counts its author's followers), and brought one donor, a
newcomer who liked and answered the famous author's tweet; the regular accounts that passed it on
have modest audiences. 92 people gave $4,352; 62 of them were regulars of the blog's comment
section (and, most of them, of Mark's replies on X) for years; the other 30 were one-off readers,
strangers who retweeted the appeal, anonymous givers and the newcomer. Who came through a channel
gives within days of their last touch with it (a like, retweet, reply or comment), and Mark's
closing thank-you tweet is the last event of all.

What is generated here is only behaviour: posts, comments, replies, tweets, retweets, follower
counts and a donations CSV. Nothing says who is a "strong tie": the pipeline must find that out
from the interactions. (``CaseStudy.cast`` records the roles, for the tests' independent checks.)
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

SITE = "https://example.blog/"
APPEAL_URL = "https://example.blog/2012/12/10/a-door-for-christmas/"
OWNER_NAME = "Mark Schaefer"
OWNER_HANDLE = "markwschaefer"
OWNER_EMAIL = "mark@example.blog"
BLOG_START = datetime(2009, 1, 5, 14, 0, tzinfo=UTC)
APPEAL_AT = datetime(2012, 12, 10, 15, 0, tzinfo=UTC)
SHARING_TWEETS = 446
DONORS = 92
DONATION_TOTAL = 4352
REGULARS = 62
TWITTER_EPOCH_MS = 1288834974657
PRE_SNOWFLAKE_START = 1142899200  # 2006-03-21, the first tweet: sequential ids count from here
LOOKBACK_DAYS = 7  # who came through a channel gives within this many days of their last touch with it
OWNER_LINK_HOURS = (0, 26, 74, 150, 220, 330)  # Mark's link tweets; the last is the closing thank-you
# each heavyweight tweets the link five times: 5 x 124k + 5 x 561k = 3,425,000 potential impressions
HEAVY_LINK_HOURS = ((20, 68, 116, 164, 212), (30, 78, 126, 174, 250))
HEAVY_FAN_RETWEETS = 65
REGULAR_FOLLOWERS = 900  # median followers of the regulars on X
STRANGER_FOLLOWERS = 600  # and of the other accounts that pass the appeal on

FIRST = (
    "Amy Ben Cara Dan Eli Fay Gus Hal Ivy Jon Kay Lev Mia Ned Ora Pam Quin Rae Sam Tess Uma Vic Wes Xia Yul Zoe "
    "Abe Bea Cal Dee Eve Fin Gia Hugo Ida Jax Kim Lou Max Nia Otto Pia Rex Sue Tom Una Val Will Yan Zed"
).split()
LAST = (
    "Adams Brown Clark Davis Evans Ford Green Hill Irwin Jones King Lopez Moore Nash Owens Price Quinn Reed "
    "Smith Turner Upton Vance White Young Zhang Baker Cole Dunn Ellis Fox Gray Hart"
).split()


def email_hash(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


@dataclass
class Person:
    name: str
    email: str | None = None
    handle: str | None = None  # X username
    x_id: str | None = None
    followers: int = 0
    blog_url: str | None = None
    role: str = ""


@dataclass
class CaseStudy:
    """What the fake servers serve, and the donations CSV."""

    x_users: list[dict] = field(default_factory=list)
    x_tweets: list[dict] = field(default_factory=list)
    blog_posts: list[dict] = field(default_factory=list)
    blog_comments: list[dict] = field(default_factory=list)
    donations: list[dict] = field(default_factory=list)
    cast: dict[str, list[Person]] = field(default_factory=dict)

    def replay_times(self) -> tuple[str, str]:
        """When the demo's two X collections run, on the replay clock (``TIEMETER_REPLAY_NOW``):
        half an hour after the last tweet, when the newest tweets are still fresh, and two days
        later, when their metrics re-poll (1 h, 6 h and 24 h after posting) is due."""
        last = max(datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")) for t in self.x_tweets)
        first = last + timedelta(minutes=30)
        return _iso(first), _iso(first + timedelta(days=2))

    def x_dataset(self) -> dict:
        """For ``tiemeter.demo.fake_x_api.FakeXApi``."""
        return {"users": self.x_users, "tweets": self.x_tweets}

    def blog_dataset(self) -> dict:
        """For ``tiemeter.demo.fake_blog.FakeBlog`` (see demo/blog_dataset.py)."""
        owner = {"id": 1, "name": OWNER_NAME, "email": OWNER_EMAIL}
        return {
            "title": "{grow}",
            "users": [owner],
            "posts": [
                {"id": p["id"], "slug": p["slug"], "title": p["title"], "author": 1,
                 "published": p["published"].isoformat(), "text": p["content"]}
                for p in self.blog_posts
            ],
            "comments": [
                {"id": c["id"], "post": c["post_id"], "parent": c["parent"] or None, "author_name": c["author_name"],
                 "author_url": c["author_url"], "author_email": c["author_email"], "user_id": 1 if c["is_post_author"] else 0,
                 "published": c["published"].isoformat(), "text": c["text"], "kind": c["kind"]}
                for c in self.blog_comments
            ],
        }  # fmt: skip

    def donations_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(
            out,
            fieldnames=[
                "email",
                "x_handle",
                "name",
                "url",
                "amount",
                "currency",
                "occurred_at",
                "campaign",
                "method",
            ],
        )
        writer.writeheader()
        writer.writerows(self.donations)
        return out.getvalue()


class _Ids:
    """Snowflake-like ids: they sort by time, as X's do."""

    def __init__(self):
        self.seq = 0

    def at(self, when: datetime) -> str:
        self.seq += 1
        ms = int(when.timestamp() * 1000) - TWITTER_EPOCH_MS
        if ms < 0:  # before Snowflake (Nov 2010) X numbered tweets in sequence: small positive ids
            return str((int(when.timestamp()) - PRE_SNOWFLAKE_START) * 1000 + self.seq % 1000)
        return str((ms << 22) + self.seq)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class _Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ids = _Ids()
        self.study = CaseStudy()
        self.names: set[str] = set()
        self.user_seq = 5000

    # -- people ---------------------------------------------------------------------------

    def name(self) -> str:
        while True:
            candidate = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
            if candidate not in self.names:
                self.names.add(candidate)
                return candidate

    def x_user(self, person: Person, handle: str, followers: int) -> Person:
        self.user_seq += 1
        person.handle, person.x_id, person.followers = handle, str(self.user_seq), followers
        self.study.x_users.append(
            {
                "id": person.x_id,
                "username": handle,
                "name": person.name,
                "created_at": "2009-03-01T00:00:00.000Z",
                "description": "",
                "public_metrics": {
                    "followers_count": followers,
                    "following_count": 300,
                    "tweet_count": 5000,
                    "listed_count": 10,
                },
            }
        )
        return person

    def followers(self, median: int) -> int:
        # below the heavyweight line: the story has exactly two heavyweights
        return min(80_000, max(20, int(self.rng.lognormvariate(0, 1.0) * median)))

    # -- tweets ---------------------------------------------------------------------------

    def tweet(
        self, author: Person, when: datetime, text: str, *, refs=(), mentions=(), urls=(), likers=()
    ) -> dict:
        tweet = {"id": self.ids.at(when), "author_id": author.x_id, "text": text, "created_at": _iso(when)}
        if refs:
            tweet["referenced_tweets"] = [{"type": kind, "id": ref["id"]} for kind, ref in refs]
        entities = {}
        if mentions:
            entities["mentions"] = [{"username": m.handle} for m in mentions]
        if urls:
            entities["urls"] = [{"expanded_url": u} for u in urls]
        if entities:
            tweet["entities"] = entities
        if likers:
            tweet["liking_user_ids"] = [p.x_id for p in likers]
        self.study.x_tweets.append(tweet)
        return tweet

    def retweet(self, who: Person, original: dict, author: Person, when: datetime) -> dict:
        text = f"RT @{author.handle}: {original['text']}"[:140]
        urls = [u["expanded_url"] for u in original.get("entities", {}).get("urls", [])]
        return self.tweet(who, when, text, refs=[("retweeted", original)], mentions=[author], urls=urls)

    # -- blog -----------------------------------------------------------------------------

    def post(self, when: datetime, title: str, slug: str) -> dict:
        url = f"{SITE}{when:%Y/%m/%d}/{slug}/"  # the fake blog's permalink shape
        post = {"id": len(self.study.blog_posts) + 1, "url": url, "slug": slug, "title": title, "author": OWNER_NAME,
                "author_email": OWNER_EMAIL, "published": when, "content": f"<p>{title}</p>"}  # fmt: skip
        self.study.blog_posts.append(post)
        return post

    def comment(
        self,
        post: dict,
        who: Person,
        when: datetime,
        text: str,
        parent: dict | None = None,
        kind: str = "comment",
    ) -> dict:
        comment = {
            "id": len(self.study.blog_comments) + 1,
            "post_id": post["id"],
            "post_url": post["url"],
            "parent": parent["id"] if parent else 0,
            "author_name": who.name,
            "author_url": who.blog_url or "",
            "author_email": who.email or "",
            "published": when,
            "text": text,
            "kind": kind,
            "is_post_author": who.role == "owner",
        }
        self.study.blog_comments.append(comment)
        return comment


def _at(tweet: dict) -> datetime:
    return datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))


def _like(tweet: dict, *people: Person) -> None:
    likers = tweet.setdefault("liking_user_ids", [])
    likers += [p.x_id for p in people if p.x_id not in likers]


def build_case_study(seed: int = 2012) -> CaseStudy:
    b = _Builder(seed)
    rng = b.rng
    cast = b.study.cast

    owner = b.x_user(Person(OWNER_NAME, OWNER_EMAIL, blog_url=SITE, role="owner"), OWNER_HANDLE, 16_400)
    heavy = [
        b.x_user(Person("Big Brand", role="heavyweight"), "bigbrand", 124_000),
        b.x_user(Person("Famous Author", role="heavyweight"), "famousauthor", 561_000),
    ]
    regulars = []
    for i in range(REGULARS):
        name = b.name()
        first, last = name.lower().split()
        person = Person(name, f"{first}.{last}@mail.example", role="regular")
        if i % 6 != 5:  # most regulars also talk with Mark on X; their comments link their profile
            b.x_user(person, f"{first}{last}", b.followers(REGULAR_FOLLOWERS))
            person.blog_url = f"https://twitter.com/{person.handle}"
        elif i % 4 == 1:
            person.blog_url = f"https://{first}{last}.example/"
        regulars.append(person)
    one_offs = []
    for _ in range(300):
        name = b.name() if len(b.names) < 1300 else f"Reader {len(one_offs)}"
        first = name.lower().replace(" ", ".")
        one_offs.append(Person(name, f"{first}@inbox.example", role="one_off"))
    strangers = [b.x_user(Person(b.name() if len(b.names) < 1300 else f"X user {i}", role="stranger"), f"fan{i:03d}",
                          b.followers(STRANGER_FOLLOWERS)) for i in range(250)]  # fmt: skip
    heavy_fans = [
        b.x_user(
            Person(f"Follower {i}", role="heavy_fan"), f"follower{i:02d}", b.followers(STRANGER_FOLLOWERS)
        )
        for i in range(HEAVY_FAN_RETWEETS)
    ]
    eve = b.x_user(Person("Eve Newcomer", role="heavyweight_only_donor"), "evenewcomer", 140)
    cast.update(owner=[owner], heavyweights=heavy, regulars=regulars, one_offs=one_offs, strangers=strangers,
                heavy_fans=heavy_fans, heavyweight_only=[eve])  # fmt: skip

    # -- four years of the blog ---------------------------------------------------------------
    posts = []
    when = BLOG_START
    n = 0
    while when < APPEAL_AT - timedelta(days=3):
        n += 1
        posts.append(b.post(when, f"Marketing lesson {n}", f"marketing-lesson-{n}"))
        when += timedelta(days=rng.choice((3, 4)), hours=rng.randint(-3, 3))
    appeal = b.post(APPEAL_AT, "A door for Christmas", "a-door-for-christmas")

    def after(post: dict, hours_min: int = 1, hours_max: int = 72) -> datetime:
        return post["published"] + timedelta(
            hours=rng.randint(hours_min, hours_max), minutes=rng.randint(0, 59)
        )

    touches: dict[str, list[datetime]] = {}  # name -> when they engaged with the appeal (post or tweets)

    def engaged(person: Person, when: datetime) -> None:
        touches.setdefault(person.name, []).append(when)

    for person in regulars:
        # a regular joins in the first two years and keeps commenting until the appeal
        joined = rng.randrange(0, len(posts) // 2)
        chosen = sorted(rng.sample(range(joined, len(posts)), rng.randint(14, 30)))
        chosen[-1] = max(chosen[-1], len(posts) - rng.randint(1, 6))  # still around lately
        for index in chosen:
            post = posts[index]
            said = b.comment(post, person, after(post), f"Great point about lesson {index + 1}, Mark.")
            if rng.random() < 0.45:
                b.comment(
                    post,
                    owner,
                    said["published"] + timedelta(hours=rng.randint(1, 20)),
                    f"Thanks, {person.name.split()[0]}!",
                    parent=said,
                )
        said = b.comment(appeal, person, after(appeal, 1, 48), "Count me in. Merry Christmas!")
        engaged(person, said["published"])
        b.comment(appeal, owner, said["published"] + timedelta(hours=2), "You are wonderful.", parent=said)
    for person in one_offs:
        post = posts[rng.randrange(len(posts))]
        b.comment(post, person, after(post), "Interesting post, thanks.")
    for i in range(10):
        post = posts[rng.randrange(len(posts))]
        ping = Person(f"Another Blog {i}", blog_url=f"https://another{i}.example/{i}/", role="pingback")
        b.comment(post, ping, after(post), "[...] as Mark says [...]", kind="pingback")

    # -- the regulars who are on X talk with Mark there over the years -----------------------
    on_x = [p for p in regulars if p.handle]
    for person in on_x:
        for _ in range(rng.randint(3, 7)):
            day = BLOG_START + timedelta(
                days=rng.randrange(0, (APPEAL_AT - BLOG_START).days - 5), hours=rng.randint(0, 23)
            )
            said = b.tweet(person, day, f"@{owner.handle} loved your latest post", mentions=[owner])
            if rng.random() < 0.6:
                b.tweet(
                    owner,
                    day + timedelta(hours=1),
                    f"@{person.handle} thank you!",
                    refs=[("replied_to", said)],
                    mentions=[person],
                )

    # -- the appeal on X: exactly SHARING_TWEETS tweets carry or pass on the link -------------
    sharing = []
    link_text = "A door for Christmas: help a family in need this year " + APPEAL_URL
    owner_links = [
        b.tweet(owner, APPEAL_AT + timedelta(hours=h), link_text, urls=[APPEAL_URL]) for h in OWNER_LINK_HOURS
    ]
    sharing += owner_links
    community_links = []
    for person in on_x:
        t = b.tweet(
            person,
            APPEAL_AT + timedelta(hours=rng.randint(2, 200)),
            f"Please read and give: {APPEAL_URL}",
            urls=[APPEAL_URL],
        )
        community_links.append((t, person))
        sharing.append(t)
    for person in on_x[:20]:  # 40 retweets of Mark's link tweets by regulars
        for original in rng.sample(owner_links[:-1], 2):
            rt = b.retweet(person, original, owner, _at(original) + timedelta(hours=rng.randint(1, 30)))
            sharing.append(rt)
            engaged(person, _at(rt))
    for original in owner_links[:-1]:  # and their applause, served by liking_users
        likers = rng.sample(on_x, rng.randint(8, 16))
        _like(original, *likers)
        for person in likers:
            engaged(person, _at(original))  # the API gives no time for a like: it is the tweet's
    for t, person in rng.sample(community_links, 12):
        likers = [p for p in rng.sample(on_x, 4) if p is not person]
        _like(t, *likers)
        for liker in likers:
            engaged(liker, _at(t))

    # the heavyweights tweet the link again and again: exposure counts every tweet
    heavy_links: list[tuple[dict, Person]] = []
    for h, hours in zip(heavy, HEAVY_LINK_HOURS, strict=True):
        for at in hours:
            text = f"Worth your time this Christmas {APPEAL_URL}"
            heavy_links.append((b.tweet(h, APPEAL_AT + timedelta(hours=at), text, urls=[APPEAL_URL]), h))
    sharing += [t for t, _ in heavy_links]
    for fan_index, fan in enumerate(heavy_fans):  # their followers retweet and like; none of them gives
        link, author = heavy_links[fan_index % len(heavy_links)]
        sharing.append(b.retweet(fan, link, author, _at(link) + timedelta(hours=rng.randint(1, 48))))
        if fan_index % 3 == 0:
            _like(link, fan)
    # eve sees the famous author's third tweet, likes it, replies and gives: her only path to the appeal
    eve_link = [t for t, author in heavy_links if author is heavy[1]][2]
    _like(eve_link, eve)
    eve_reply = b.tweet(eve, _at(eve_link) + timedelta(hours=4), f"@{heavy[1].handle} giving now. What a story.",
                        refs=[("replied_to", eve_link)], mentions=[heavy[1]])  # fmt: skip
    engaged(eve, _at(eve_reply))

    quoters = strangers[:10]
    for person in quoters:
        original = rng.choice(owner_links[:-1])
        sharing.append(b.tweet(person, _at(original) + timedelta(hours=rng.randint(2, 60)),
                               "This is what the internet is for", refs=[("quoted", original)]))  # fmt: skip
    # strangers pass on Mark's and the community's link tweets (not Mark's closing thank-you)
    pool = [(t, owner) for t in owner_links[:-1]] + community_links
    for i in range(SHARING_TWEETS - len(sharing)):
        person = strangers[i % len(strangers)]
        original, author = pool[i % len(pool)]
        rt = b.retweet(person, original, author, _at(original) + timedelta(hours=rng.randint(1, 60)))
        sharing.append(rt)
        engaged(person, _at(rt))
        if i % 5 == 0 and i >= len(strangers):  # second-time retweeters also like what they pass on
            _like(original, person)
    assert len(sharing) == SHARING_TWEETS

    # -- the donations -------------------------------------------------------------------------
    donors: list[tuple[Person, str]] = [(p, "email") for p in regulars]
    donors += [(p, "email") for p in one_offs[:12]]  # blog readers who gave without a word
    retweeters = strangers[30:42]  # each passed the appeal on once, and gave
    donors += [(p, "x_handle") for p in retweeters]
    donors += [(Person(f"Anonymous {i}", role="unknown"), "name") for i in range(5)]
    donors.append((eve, "x_handle"))
    assert len(donors) == DONORS
    amounts = [rng.choice((10, 20, 25, 25, 40, 50, 50, 75, 100)) for _ in donors]
    i = 0
    while sum(amounts) != DONATION_TOTAL:  # nudge gifts up or down by a dollar until the total is the story's
        step = 1 if sum(amounts) < DONATION_TOTAL else -1
        if amounts[i % DONORS] + step >= 5:
            amounts[i % DONORS] += step
        i += 1
    closing = _at(owner_links[-1])
    for (person, key), amount in zip(donors, amounts, strict=True):
        # who came through a channel gives within days of their last touch with it; the rest any time
        last = max(touches.get(person.name, []), default=None)
        if last is not None:
            given = last + timedelta(
                hours=rng.randint(1, 24 * (LOOKBACK_DAYS - 1)), minutes=rng.randint(0, 59)
            )
        else:
            given = APPEAL_AT + timedelta(hours=rng.randint(3, 300), minutes=rng.randint(0, 59))
        given = min(given, closing - timedelta(hours=1, minutes=rng.randint(0, 59)))
        b.study.donations.append(
            {
                "email": person.email if key == "email" else "",
                "x_handle": person.handle if key == "x_handle" else "",
                "name": person.name,
                "url": "",
                "amount": f"{amount:.2f}",
                "currency": "USD",
                "occurred_at": _iso(given).replace(".000Z", "Z"),
                "campaign": APPEAL_URL,
                "method": rng.choice(("card", "paypal")),
            }
        )
    cast.update(donors=[p for p, _ in donors], reader_donors=one_offs[:12], stranger_donors=retweeters,
                anonymous_donors=[p for p, key in donors if key == "name"])  # fmt: skip
    b.study.x_tweets.sort(key=lambda t: int(t["id"]))
    return b.study
